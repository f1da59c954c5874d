package dev.tether.conformance.lsp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The small Python and C projects the editor works on (test resources under {@code lsp/}), copied to
 * a LOCAL directory (the editor's) and a REMOTE one (what the host sees). {@code generated.py} exists
 * on the host only, like a generated source.
 */
final class Projects {
  static final String PYTHON = "python";
  static final String C = "c";
  static final String HOST_ONLY = "generated.py";
  private static final List<String> PYTHON_FILES = List.of("app.py", "util.py", HOST_ONLY);
  private static final List<String> C_FILES = List.of("main.c", "lib.h", "compile_flags.txt");

  private Projects() {
  }

  static void write(Path local, Path remote) {
    for (String file : PYTHON_FILES) {
      copy(PYTHON + "/" + file, remote.resolve(PYTHON).resolve(file));
      if (!file.equals(HOST_ONLY)) {
        copy(PYTHON + "/" + file, local.resolve(PYTHON).resolve(file));
      }
    }
    for (String file : C_FILES) {
      copy(C + "/" + file, remote.resolve(C).resolve(file));
      copy(C + "/" + file, local.resolve(C).resolve(file));
    }
  }

  private static void copy(String resource, Path target) {
    try (InputStream in = Projects.class.getResourceAsStream("/lsp/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource lsp/" + resource + " is missing");
      }
      Files.createDirectories(target.getParent());
      Files.write(target, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a test's temp tree; whatever cannot be deleted is left to the OS's /tmp clean-up. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // temp files only
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
