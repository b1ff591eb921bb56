package org.balance.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package built by {@code mvn -Pdeb package} as Debian's tools judge it, without installing it: its
 * control fields, and {@code lintian} (where installed) with no error and no warning that the package does not
 * override with a written reason.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DebianPackageLintIT {
    static final String MAINTAINER = "balance for Java maintainers <balance-java@users.noreply.github.com>";
    private static Path deb;

    @BeforeAll
    static void thePackage() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is missing: not a Debian machine");
        String built = System.getProperty("balance.deb");
        assertNotNull(built, "no package was built: run mvn -Pdeb verify (./test.sh does)");
        deb = Path.of(built);
        assertTrue(Files.isRegularFile(deb), deb + " missing: run mvn -Pdeb verify (./test.sh does)");
    }

    private static String output(String... command) throws Exception {
        File out = File.createTempFile("lint", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(out).start();
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), String.join(" ", command) + " finished");
            return Files.readString(out.toPath(), StandardCharsets.UTF_8);
        } finally {
            out.delete();
        }
    }

    @Test
    void controlFieldsNameARealMaintainerAndTheArchitectureOfTheNativeLibrary() throws Exception {
        assertEquals("amd64\n", output("dpkg-deb", "--field", deb.toString(), "Architecture"),
                "ships Netty's x86-64 epoll library: not an Architecture: all package");
        assertTrue(deb.getFileName().toString().endsWith("_amd64.deb"), deb.toString());
        assertEquals(MAINTAINER + "\n", output("dpkg-deb", "--field", deb.toString(), "Maintainer"));
        String depends = output("dpkg-deb", "--field", deb.toString(), "Depends");
        assertTrue(depends.contains("libc6 (>= "), "the native library needs the C library: " + depends);
        assertTrue(depends.contains("adduser"), "postinst creates the balance user: " + depends);
        String files = output("dpkg-deb", "--contents", deb.toString());
        for (String doc : List.of("./usr/share/doc/balance/copyright", "./usr/share/doc/balance/changelog.gz",
                "./usr/share/lintian/overrides/balance")) {
            assertTrue(files.contains(doc + "\n"), doc + " in\n" + files);
        }
    }

    @Test
    void everyLintianOverrideSaysWhy() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("balance.home", "."), "src/deb/lintian-overrides"));
        boolean reason = false;
        for (String line : lines) {
            if (line.startsWith("#")) {
                reason = true;
            } else if (!line.isBlank()) {
                assertTrue(reason, "an override without a comment above it: " + line);
            } else {
                reason = false;
            }
        }
    }

    @Test
    void lintianFindsNoErrorAndNoWarning() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/lintian")), "lintian is not installed (apt-get install lintian)");
        String report = output("lintian", "--no-tag-display-limit", deb.toString());
        List<String> found = new ArrayList<>();
        for (String line : report.split("\n")) {
            if (line.startsWith("E: ") || line.startsWith("W: ")) {
                found.add(line);
            }
        }
        assertEquals(List.of(), found, "lintian " + deb + ":\n" + report);
    }
}
