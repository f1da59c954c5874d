package dev.tether.mux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** What a frame header alone can make the reader allocate: nothing like the length it declares. */
class FrameReaderBoundsTest {
  private static final int MAX_FRAME = 1024 * 1024;

  @Test
  void aDeclaredPayloadLengthIsNotAllocatedBeforeItsBytesArrive() throws Exception {
    byte[] header = new byte[Frame.HEADER_SIZE];
    FrameWriter.encodeHeader(Frame.received(FrameType.OPEN, 0, 1, 1, new byte[MAX_FRAME]), 0, header);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.write(header);
    wire.write(new byte[10]); // ten bytes of the megabyte declared, then the stream ends
    FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), MAX_FRAME);

    long before = allocatedBytes();
    EOFException ended = assertThrows(EOFException.class, () -> reader.nextFrame((frame, ack) -> { }));
    long allocated = allocatedBytes() - before;
    assertTrue(allocated < MAX_FRAME / 4, "reading 10 bytes of a declared " + MAX_FRAME + "-byte frame allocated "
        + allocated + " bytes");
    assertEquals("stream ended inside a frame (10 of " + MAX_FRAME + " bytes)", ended.getMessage());
  }

  @Test
  void aWholeLargeFrameStillArrivesWhole() throws Exception {
    byte[] payload = new byte[100_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    byte[] header = new byte[Frame.HEADER_SIZE];
    FrameWriter.encodeHeader(Frame.received(FrameType.DATA, 0, 3, 1, payload), 0, header);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.write(header);
    wire.write(payload);
    FrameReader reader = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), MAX_FRAME,
        new PayloadPool(32 * 1024, 4));
    Frame[] got = new Frame[1];
    assertTrue(reader.nextFrame((frame, ack) -> got[0] = frame));
    assertEquals(1, got[0].seq());
    assertTrue(java.util.Arrays.equals(payload, got[0].payload));
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
