package org.balance.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTest {
    private static String string(String s) {
        StringBuilder out = new StringBuilder();
        Json.string(out, s);
        return out.toString();
    }

    @Test
    void escapesWhatJsonNeedsAndWhatHtmlFears() {
        assertEquals("\"plain\"", string("plain"));
        assertEquals("\"a\\\"b\\\\c\"", string("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\"", string("\n\r\t\b\f\u0000\u001f"));
        assertEquals("\"\\u003c/script>\"", string("</script>"));
        assertEquals("\"\\u2028\\u2029\"", string("\u2028\u2029"));
        assertEquals("\"h\u00e9 \uD83D\uDE00\"", string("h\u00e9 \uD83D\uDE00"), "pairs and non-ASCII stay");
        assertEquals("\"\\ud83d x \\ude00\"", string("\uD83D x \uDE00"), "lone surrogates are escaped");
    }

    @Test
    void placesCommasAndWritesNumbers() {
        Json j = new Json().open().member("a", 1).member("b", "x").member("c", true).name("d").openArray()
                .value(1.5).value(2.0).value(Double.NaN).open().close().closeArray().member("e", (String) null).close();
        assertEquals("{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":[1.5,2,null,{}],\"e\":null}", j.toString());
    }
}
