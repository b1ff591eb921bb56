package org.balance.health;

/** Milliseconds as operators write them: {@code 2s}, {@code 1.5s}, {@code 400ms}. */
final class Millis {

    private Millis() {
    }

    static String text(long millis) {
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        if (millis > 1000 && millis % 100 == 0) {
            return millis / 1000 + "." + millis % 1000 / 100 + "s";
        }
        return millis + "ms";
    }
}
