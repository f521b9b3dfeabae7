package org.wabridge.b2bua.ops.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void stringsAreEscapedPerRfc8259() {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\"", Json.write("a\"b\\c\n\r\t\b\f\u0001\u001f"));
        assertEquals("\"\\u2028\\u2029\"", Json.write("\u2028\u2029"));
        assertEquals("\"héllo €\"", Json.write("héllo €"), "non-ASCII text passes as UTF-8");
        assertEquals("\"</script>\"", Json.write("</script>"));
    }

    @Test
    void structuresKeepTheirOrderAndTypes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", Arrays.asList(true, null, 2L, 1.5, "x"));
        m.put("k\"ey", Map.of());
        m.put("nan", Double.NaN);
        assertEquals("{\"z\":1,\"a\":[true,null,2,1.5,\"x\"],\"k\\\"ey\":{},\"nan\":null}", Json.write(m));
        assertEquals("[]", Json.write(List.of()));
    }

    @Test
    void unknownTypesAreRefusedRatherThanGuessed() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }
}
