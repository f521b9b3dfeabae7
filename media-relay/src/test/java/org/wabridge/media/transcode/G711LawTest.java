package org.wabridge.media.transcode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** G.711 against the reconstruction values of ITU-T G.711 tables 1a/2a (scaled to 16 bits) and its bit rules. */
class G711LawTest {

    @Test
    void muLawDecodesToTheItuReconstructionValues() {
        // table 2a (14-bit scale, times 4): segment 0 steps of 2 from 0, segment 1 from 33 in steps of 4, max 8031
        assertEquals(0, G711Law.PCMU.decode((byte) 0xFF));
        assertEquals(0, G711Law.PCMU.decode((byte) 0x7F));
        assertEquals(2 * 4, G711Law.PCMU.decode((byte) 0xFE));
        assertEquals(30 * 4, G711Law.PCMU.decode((byte) 0xF0));
        assertEquals(33 * 4, G711Law.PCMU.decode((byte) 0xEF));
        assertEquals(8031 * 4, G711Law.PCMU.decode((byte) 0x80));
        assertEquals(-8031 * 4, G711Law.PCMU.decode((byte) 0x00));
        assertEquals(-33 * 4, G711Law.PCMU.decode((byte) 0x6F));
    }

    @Test
    void aLawDecodesToTheItuReconstructionValues() {
        // table 1a (13-bit scale, times 8): segment 0 from 1 in steps of 2, segment 2 from 66, max 4032
        assertEquals(8, G711Law.PCMA.decode((byte) 0xD5));
        assertEquals(-8, G711Law.PCMA.decode((byte) 0x55));
        assertEquals(3 * 8, G711Law.PCMA.decode((byte) 0xD4));
        assertEquals(33 * 8, G711Law.PCMA.decode((byte) 0xC5));
        assertEquals(66 * 8, G711Law.PCMA.decode((byte) 0xF5));
        assertEquals(4032 * 8, G711Law.PCMA.decode((byte) 0xAA));
        assertEquals(-4032 * 8, G711Law.PCMA.decode((byte) 0x2A));
    }

    @Test
    void silenceIsTheLineIdleCode() {
        assertEquals((byte) 0xFF, G711Law.PCMU.silence());
        assertEquals((byte) 0xD5, G711Law.PCMA.silence());
        assertEquals((byte) 0x7F, G711Law.PCMU.encode((short) -1));
    }

    @Test
    void everyCodeSurvivesDecodeThenEncode() {
        for (int code = 0; code < 256; code++) {
            if (code == 0x7F) {
                continue; // µ-law's negative zero decodes to 0, which encodes as positive zero
            }
            assertEquals((byte) code, G711Law.PCMU.encode(G711Law.PCMU.decode((byte) code)), "PCMU " + code);
            assertEquals((byte) code, G711Law.PCMA.encode(G711Law.PCMA.decode((byte) code)), "PCMA " + code);
        }
    }

    @Test
    void quantisationErrorStaysWithinHalfAStep() {
        for (G711Law law : G711Law.values()) {
            for (int s = -32768; s <= 32767; s += 7) {
                int back = law.decode(law.encode((short) s));
                int limit = Math.max(16, Math.abs(s) / 16); // a step is at most 1/16 of its segment's start
                assertTrue(Math.abs(back - s) <= limit || Math.abs(s) > 32124,
                        law + " " + s + " came back as " + back);
                assertTrue(Integer.signum(back) == Integer.signum(s) || Math.abs(s) < 16,
                        law + " " + s + " changed sign");
            }
        }
    }
}
