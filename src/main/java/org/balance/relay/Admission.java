package org.balance.relay;

/**
 * Whether a session may start, decided once its {@link Origin} is known (at once, or when the PROXY header gives it)
 * and before any channel is chosen: source lists and per-source limits ({@code policy/}). The relay asks, closes a
 * refused client at once, and gives an admitted session's {@link Verdict} back when the client connection closes.
 */
public interface Admission {
    /** Everyone, with nothing to give back. */
    Admission ALL = origin -> Verdict.ADMITTED;

    Verdict admit(Origin origin);

    /** Why a client was refused: counted and logged under {@link #label}. */
    enum Refusal {
        LIMIT("limit"), LIST("list");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Admitted (with what to do when the session ends, if anything) or refused with a reason. */
    final class Verdict {
        public static final Verdict ADMITTED = new Verdict(null, null);
        private static final Verdict LIMIT = new Verdict(Refusal.LIMIT, null);
        private static final Verdict LIST = new Verdict(Refusal.LIST, null);
        private final Refusal refusal;
        private final Runnable onEnd;

        private Verdict(Refusal refusal, Runnable onEnd) {
            this.refusal = refusal;
            this.onEnd = onEnd;
        }

        /** Admitted; {@code onEnd} runs once when the session's client connection closes. */
        public static Verdict admitted(Runnable onEnd) {
            return new Verdict(null, onEnd);
        }

        public static Verdict refused(Refusal why) {
            return why == Refusal.LIMIT ? LIMIT : LIST;
        }

        /** Null if admitted. */
        public Refusal refusal() {
            return refusal;
        }

        void ended() {
            if (onEnd != null) {
                onEnd.run();
            }
        }
    }
}
