package dev.tether.local.conformance;

import static dev.tether.local.conformance.Check.require;

import dev.tether.adapters.exec.ExecClient;
import dev.tether.adapters.exec.ExecClient.ExecProcess;
import dev.tether.adapters.exec.ExecService.StartParams;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.RemoteFileSystem;
import dev.tether.mux.Session;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The {@code services} group: the agent's fs and exec services (docs/SERVICES.md, docs/FS.md,
 * docs/TERMINALS.md) through the public Java client API ({@link Session}, {@link RemoteFileSystem},
 * {@link ExecClient}), as a custom client uses them. Files go to a directory of their own under the
 * host's /tmp, removed at the end.
 */
public final class ServiceChecks {
  private ServiceChecks() {}

  public static List<Check> all() {
    return List.of(
        new Check("services.fs-write-read", "a file written through fs.write reads back byte for byte, and fs/stat has its size",
            "SERVICES.md fs.write, fs.read; FS.md", ServiceChecks::writeRead),
        new Check("services.fs-atomic-write", "readers see the old file until a write completes; an abandoned write changes nothing",
            "SERVICES.md fs.write; FS.md", ServiceChecks::atomicWrite),
        new Check("services.fs-not-found", "fs/stat of a missing path fails with FileNotFound naming the path",
            "SERVICES.md; FS.md", ServiceChecks::notFound),
        new Check("services.exec-exit-code", "exec/wait reports a process's exit status, and 128+N after signal N",
            "SERVICES.md exec; TERMINALS.md exec/wait, exec/signal", ServiceChecks::exitCodes));
  }

  /** A session to the agent through the public API, and a scratch directory on the host. */
  private record Host(Session session, RemoteFileSystem fs, String dir) implements AutoCloseable {
    static Host open(Target target) throws Exception {
      Session session = CheckSupport.session(target);
      RemoteFileSystem fs = new RemoteFileSystem(session::open);
      String dir = "/tmp/tether-conformance-" + UUID.randomUUID();
      try {
        fs.mkdir(dir);
      } catch (Exception e) {
        session.close();
        throw e;
      }
      return new Host(session, fs, dir);
    }

    @Override
    public void close() {
      try {
        fs.delete(dir, true);
      } catch (Exception ignored) {
        // the check's verdict matters more than the clean-up; the directory is under /tmp
      } finally {
        fs.close();
        session.close();
      }
    }
  }

  static void writeRead(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      byte[] content = new byte[300_000];
      new Random(13).nextBytes(content);
      String path = host.dir() + "/file.bin";
      try (var out = host.fs().openWrite(path, true, true)) {
        out.write(content);
      }
      byte[] back = host.fs().readAllBytes(path);
      require(Arrays.equals(content, back), "read back " + back.length + " bytes that differ from the "
          + content.length + " written");
      long size = host.fs().stat(path).size;
      require(size == content.length, "fs/stat says " + size + " bytes, " + content.length + " were written");
    }
  }

  static void atomicWrite(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      String path = host.dir() + "/atomic.txt";
      byte[] old = "old content\n".getBytes(StandardCharsets.UTF_8);
      try (var out = host.fs().openWrite(path, true, true)) {
        out.write(old);
      }
      RemoteFileSystem.FileWriter pending = host.fs().openWrite(path, true, true);
      pending.write(new byte[100_000]);
      require(Arrays.equals(old, host.fs().readAllBytes(path)), "a reader saw a write in progress");
      pending.abort();
      require(Arrays.equals(old, host.fs().readAllBytes(path)), "an abandoned write changed the file");
      byte[] fresh = "new content\n".getBytes(StandardCharsets.UTF_8);
      try (var out = host.fs().openWrite(path, false, true)) {
        out.write(fresh);
      }
      require(Arrays.equals(fresh, host.fs().readAllBytes(path)), "the completed write is not in place");
      require(tempFilesGo(host), "temporary files left beside the target: " + host.fs().readDir(host.dir()).stream().map(e -> e.name).toList());
    }
  }

  /**
   * Whether the abandoned write's temporary file is removed: the agent does it on its writer thread after
   * the RESET, so it is polled for, within a deadline.
   */
  private static boolean tempFilesGo(Host host) throws Exception {
    return CheckSupport.eventually(() -> host.fs().readDir(host.dir()).size() == 1);
  }

  static void notFound(Target target) throws Exception {
    try (Host host = Host.open(target)) {
      String path = host.dir() + "/missing";
      try {
        host.fs().stat(path);
        throw new Check.Failure("fs/stat of a missing path succeeded");
      } catch (FileSystemError e) {
        require(e.kind() == FileSystemError.Kind.FileNotFound && e.getMessage().contains(path),
            "expected FileNotFound naming " + path + ", got " + e.kind() + ": " + e.getMessage());
      }
    }
  }

  static void exitCodes(Target target) throws Exception {
    try (Host host = Host.open(target); ExecClient exec = ExecClient.open(host.session()::open)) {
      require(waitFor(exec.shell("exit 3")) == 3, "'exit 3' did not report status 3");
      StartParams sleep = new StartParams();
      sleep.argv = List.of("sleep", "300");
      ExecProcess sleeping = exec.start(sleep);
      sleeping.signal("TERM");
      int status = waitFor(sleeping);
      require(status == 128 + 15, "'sleep' ended by SIGTERM reported " + status + ", expected 143");
    }
  }

  private static int waitFor(ExecProcess process) throws Exception {
    process.closeStdin();
    process.discardStdout();
    process.discardStderr();
    return process.waitFor();
  }
}
