package dev.tether.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tether.local.daemon.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalProgressTest {
  private static final String UPLOAD = "installing the agent on alice@build-box (4.0 MiB)";
  private static final long SIZE = 4L * 1024 * 1024;

  @Test
  void notOnATerminalEachStepIsOneLineAndByteCountsAreNotShown() {
    List<String> lines = new ArrayList<>();
    Progress progress = Progress.lines(lines::add);
    progress.step("connecting to alice@build-box");
    progress.step(UPLOAD);
    progress.bytes(UPLOAD, SIZE / 2, SIZE);
    progress.bytes(UPLOAD, SIZE, SIZE);
    progress.end();
    assertEquals(List.of("connecting to alice@build-box", UPLOAD), lines, "as before there were bars");
  }

  @Test
  void aTransferIsABarThatEndsAsThePlainLine() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> drawn = Collections.synchronizedList(new ArrayList<>());
    TerminalProgress progress = TerminalProgress.drawingTo(new PrintStream(err, true, StandardCharsets.UTF_8), drawn::add);
    progress.step("connecting to alice@build-box");
    progress.bytes(UPLOAD, 0, SIZE);
    progress.bytes(UPLOAD, SIZE / 2, SIZE);
    progress.bytes(UPLOAD, SIZE, SIZE);
    progress.end();
    progress.bytes(UPLOAD, SIZE, SIZE); // a late report after the end draws nothing more

    assertEquals("tether: connecting to alice@build-box\ntether: " + UPLOAD + "\n", err.toString(StandardCharsets.UTF_8),
        "what stays is the same text as on a pipe");
    List<String> bars;
    synchronized (drawn) {
      bars = List.copyOf(drawn);
    }
    assertTrue(bars.stream().anyMatch(bar -> bar.startsWith("tether: " + UPLOAD) && bar.contains("MiB")), bars.toString());
    assertTrue(bars.stream().anyMatch(bar -> bar.contains("100%")), "the bar reached 100%: " + bars);
  }
}
