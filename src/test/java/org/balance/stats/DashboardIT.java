package org.balance.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.balance.support.Backend;
import org.balance.support.InProcessBalance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's headless chromium, driven through Debian's chromedriver, opens the
 * page while sessions flow, finds the numbers {@code show} prints, disables a channel with the token and sees
 * new sessions avoid it, and takes a screenshot that must not be blank (target/dashboard.png).
 * Needs the chromium and chromium-driver packages; test.sh installs them.
 */
@Timeout(180)
class DashboardIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    /** A steady stream of short sessions, each noting which backend answered. */
    static final class Traffic implements AutoCloseable {
        final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicBoolean paused = new AtomicBoolean();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger inFlight = new AtomicInteger();
        private final Thread thread;

        Traffic(int port) {
            thread = new Thread(() -> {
                while (running.get()) {
                    if (paused.get()) {
                        sleep(10);
                        continue;
                    }
                    inFlight.incrementAndGet();
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                        s.setSoTimeout(5000);
                        OutputStream out = s.getOutputStream();
                        out.write("some bytes of a request\n".getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        InputStream in = s.getInputStream();
                        String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                        served.computeIfAbsent(answer.substring(0, answer.indexOf('\n')), k -> new AtomicInteger()).incrementAndGet();
                    } catch (IOException | RuntimeException e) {
                        failed.incrementAndGet();
                    } finally {
                        inFlight.decrementAndGet();
                    }
                    sleep(15);
                }
            }, "traffic");
            thread.setDaemon(true);
            thread.start();
        }

        void pause() throws InterruptedException {
            paused.set(true);
            long end = System.nanoTime() + 5_000_000_000L;
            while (inFlight.get() > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
        }

        Map<String, Integer> counts() {
            Map<String, Integer> m = new java.util.TreeMap<>();
            served.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    static WebDriver browser() {
        assertTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "the browser test needs Debian's chromium and chromium-driver (test.sh installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,820", "--no-first-run", "--disable-extensions", "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().withTimeout(Duration.ofSeconds(30)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    @Test
    void thePageShowsWhatShowShowsAndDisablesWithTheToken(@TempDir Path run) throws Exception {
        try (Backend a = new Backend("a", Backend.IDENTIFY); Backend c = new Backend("c", Backend.IDENTIFY);
             InProcessBalance b = InProcessBalance.start(run, List.of("--stats", "0"), a.channel(), c.channel(), "!",
                     "127.0.0.1:" + StatsIT.deadPort());
             Traffic traffic = new Traffic(b.port)) {
            String token = Files.readString(b.runtime.stats().tokenFile()).strip();
            WebDriver driver = browser();
            try {
                Waiter wait = new Waiter(driver, Duration.ofSeconds(20));
                driver.get("http://127.0.0.1:" + b.runtime.stats().address().getPort() + "/");
                wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
                wait.until(d -> Long.parseLong(cell(d, "0.1", "totalc")) > 5);
                assertEquals(3, driver.findElements(By.cssSelector("tr[data-channel]")).size(), "every channel of every group");
                assertEquals("read-only", driver.findElement(By.id("mode")).getText());
                assertTrue(!driver.findElement(By.cssSelector("tr[data-channel='0.1'] button.disable")).isEnabled(),
                        "no changes without the token");

                // the numbers against show, with the traffic held still
                traffic.pause();
                String show = b.runtime.control().run(0, "show");
                long seen = b.runtime.snapshot().takenMillis();
                wait.until(d -> updatedAfter(d, seen));
                wait.until(d -> matchesShow(d, show));

                // the token, then disable channel 1 of group 0
                traffic.paused.set(false);
                driver.findElement(By.id("token")).sendKeys(token);
                driver.findElement(By.id("use-token")).click();
                WebElement disable = driver.findElement(By.cssSelector("tr[data-channel='0.1'] button.disable"));
                wait.until(d -> disable.isEnabled());
                disable.click();
                wait.until(d -> "DIS".equals(cell(d, "0.1", "state")));
                assertTrue(!b.channel(0, 1).isEnabled(), "the channel is disabled in the instance");
                Map<String, Integer> before = traffic.counts();
                long enough = System.nanoTime() + 1_500_000_000L;
                while (System.nanoTime() < enough || traffic.counts().getOrDefault("a", 0) - before.getOrDefault("a", 0) < 20) {
                    Thread.sleep(50);
                }
                Map<String, Integer> after = traffic.counts();
                assertEquals(before.getOrDefault("c", 0), after.getOrDefault("c", 0), "no new session to the disabled channel");
                assertEquals(0, traffic.failed.get(), "no failed session");
                wait.until(d -> d.findElement(By.id("changes")).getText().contains("group 0 channel 1"));
                assertTrue(driver.findElement(By.id("changes")).getText().contains("ENA \u2192 DIS"));

                byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of("target", "dashboard.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, png);
                assertNotBlank(png);
            } finally {
                driver.quit();
            }
        }
    }

    /** Polls a condition on the page until it holds, for at most the given time; page errors count as not yet. */
    record Waiter(WebDriver driver, Duration limit) {
        void until(java.util.function.Function<WebDriver, Boolean> condition) throws InterruptedException {
            long end = System.nanoTime() + limit.toNanos();
            RuntimeException last = null;
            while (System.nanoTime() < end) {
                try {
                    if (Boolean.TRUE.equals(condition.apply(driver))) {
                        return;
                    }
                } catch (RuntimeException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("the page did not get there in " + limit + (last == null ? "" : ": " + last), last);
        }
    }

    static String cell(WebDriver d, String channel, String column) {
        return d.findElement(By.cssSelector("tr[data-channel='" + channel + "'] td." + column)).getText().trim();
    }

    private static boolean updatedAfter(WebDriver d, long millis) {
        Object t = ((ChromeDriver) d).executeScript("return window.lastStatusTime || 0");
        return t instanceof Number n && n.doubleValue() * 1000 > millis;
    }

    /** Every row of {@code show} against the page: state, c, totalc, maxc, and sent/rcvd (exact, in the cells' titles). */
    private static boolean matchesShow(WebDriver d, String show) {
        String[] lines = show.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            String key = f[0] + "." + f[2];
            WebElement row = d.findElement(By.cssSelector("tr[data-channel='" + key + "']"));
            if (!f[3].equals(text(row, "state")) || !f[6].equals(text(row, "c")) || !f[7].equals(text(row, "totalc"))
                    || !f[8].equals(text(row, "maxc"))
                    || !(f[9] + " bytes").equals(row.findElement(By.cssSelector("td.sent")).getAttribute("title"))
                    || !(f[10] + " bytes").equals(row.findElement(By.cssSelector("td.rcvd")).getAttribute("title"))) {
                return false;
            }
        }
        return lines.length == 4;
    }

    private static String text(WebElement row, String column) {
        return row.findElement(By.cssSelector("td." + column)).getText().trim();
    }

    /** Decodes the PNG: a real page has many colours and a fair share of non-white pixels. */
    static void assertNotBlank(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertTrue(image.getWidth() >= 800 && image.getHeight() >= 400, image.getWidth() + "x" + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        long ink = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff && rgb != 0xf7f8fa) {
                    ink++;
                }
            }
        }
        long pixels = (long) (image.getWidth() / 2) * (image.getHeight() / 2);
        assertTrue(colours.size() > 50, "colours: " + colours.size());
        assertTrue(ink > pixels / 50, "ink " + ink + " of " + pixels);
    }
}
