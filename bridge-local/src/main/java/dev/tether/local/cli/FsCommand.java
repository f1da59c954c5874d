package dev.tether.local.cli;

import dev.tether.adapters.fs.DirEntry;
import dev.tether.adapters.fs.FileChange;
import dev.tether.adapters.fs.FileStat;
import dev.tether.adapters.fs.FileSystemError;
import dev.tether.adapters.fs.FileType;
import dev.tether.adapters.fs.FsWire;
import dev.tether.adapters.fs.RemoteFileSystem;
import dev.tether.adapters.fs.SearchMatch;
import dev.tether.local.daemon.DaemonClient;
import dev.tether.local.daemon.HandOverHandler;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tether fs DESTINATION ls|stat|cat|put|get|rm|mkdir|mv|cp|realpath|watch|grep ...}: the host's
 * files for scripts. Remote paths are absolute. Errors are one line, {@code tether: FileNotFound: /path},
 * exit status 1 (grep: 1 also when nothing matched, 2 on errors, as grep does).
 */
@Command(mixinStandardHelpOptions = true, name = "fs", description = "Files on DESTINATION for scripts: ls, stat, cat, put, get, rm, mkdir, mv, cp, realpath, watch, grep.",
    subcommands = {FsCommand.Ls.class, FsCommand.Stat.class, FsCommand.Cat.class, FsCommand.Put.class,
        FsCommand.Get.class, FsCommand.Rm.class, FsCommand.Mkdir.class, FsCommand.Mv.class, FsCommand.Cp.class,
        FsCommand.Realpath.class, FsCommand.Watch.class, FsCommand.Grep.class})
final class FsCommand {
  @Mixin
  ConnectionOptions connection;

  @Parameters(index = "0", paramLabel = "DESTINATION",
      description = ConnectionOptions.DESTINATION_HELP)
  String destination;

  /** Runs {@code action} with the host's file system, through the per-user daemon. */
  <T> T withFiles(FsAction<T> action) throws Exception {
    try (DaemonClient daemon = Daemons.connect();
        RemoteFileSystem files = new RemoteFileSystem(daemon.opener(connection.spec(destination)))) {
      return action.run(files);
    }
  }

  /** The host's session in the daemon, for a handed-over {@code cat} or {@code put}. */
  HandOverHandler.Host host(HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
    return hosts.connected(connection.spec(destination));
  }

  @FunctionalInterface
  interface FsAction<T> {
    T run(RemoteFileSystem files) throws Exception;
  }

  /** Our stdout: Tether.main points System.out at stderr so that stray prints cannot corrupt output. */
  static PrintStream stdout() {
    return new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024), false,
        StandardCharsets.UTF_8);
  }

  @FunctionalInterface
  interface LocalCall<T> {
    T run() throws IOException;
  }

  /** Runs a local file operation; its failure reads like the remote ones, marked as local. */
  static <T> T local(String path, LocalCall<T> call) throws IOException {
    try {
      return call.run();
    } catch (FileSystemError e) {
      throw e;
    } catch (IOException e) {
      FileSystemError typed = FileSystemError.of(e, path);
      throw new FileSystemError(typed.kind(), path, "on this machine");
    }
  }

  /** Copies in 64 KiB pieces (transferTo's 8 KiB would mean four times the frames on the channel). */
  static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "ls", description = "List a directory (names, directories with a trailing /); -l for details.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = "-l", description = "long format: type, mode, size, modification time, name")
    boolean longFormat;

    @Parameters(paramLabel = "PATH", description = "absolute path on the host")
    String path;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        FileStat stat = files.stat(path);
        List<DirEntry> entries;
        if (stat.type == FileType.directory) {
          entries = files.readDir(path);
        } else {
          entries = List.of(new DirEntry(path, stat.type, stat.size, stat.mtimeMillis, stat.mode));
        }
        PrintStream out = stdout();
        for (DirEntry entry : entries) {
          String name = entry.name + (entry.type == FileType.directory ? "/" : "");
          out.println(longFormat ? String.format("%-9s %04o %12d %s %s", entry.type, entry.mode, entry.size,
              Instant.ofEpochMilli(entry.mtimeMillis), name) : name);
        }
        out.flush();
        return 0;
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "stat", description = "Type, size, mode and times of a path (links followed).")
  static final class Stat implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        FileStat stat = files.stat(path);
        PrintStream out = stdout();
        out.println("path: " + path);
        out.println("type: " + stat.type);
        out.println("symlink: " + stat.symlink);
        out.println("size: " + stat.size);
        out.printf("mode: %04o%n", stat.mode);
        out.println("modified: " + Instant.ofEpochMilli(stat.mtimeMillis));
        out.println("changed: " + Instant.ofEpochMilli(stat.ctimeMillis));
        out.flush();
        return 0;
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "cat", description = "Stream a file to stdout.")
  static final class Cat implements Callable<Integer>, HandedOver {
    @ParentCommand
    FsCommand fs;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> cat(files, new FileOutputStream(FileDescriptor.out)));
    }

    @Override
    public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
      HandOverHandler.Host host = fs.host(hosts);
      return io -> {
        try (RemoteFileSystem files = new RemoteFileSystem(host.opener())) {
          return cat(files, io.out());
        }
      };
    }

    private int cat(RemoteFileSystem files, OutputStream out) throws IOException {
      for (String path : paths) {
        try (InputStream in = files.openRead(path)) {
          copy(in, out);
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "put", description = "Write stdin (or LOCAL) to REMOTE, atomically: REMOTE is the old file or the whole new one.")
  static final class Put implements Callable<Integer>, HandedOver {
    @ParentCommand
    FsCommand fs;

    @Option(names = {"-n", "--no-clobber"}, description = "fail with FileExists rather than replace an existing file")
    boolean noClobber;

    @Parameters(paramLabel = "[LOCAL] REMOTE", arity = "1..2", description = "LOCAL file (default: stdin), then REMOTE path")
    List<String> args;

    @Override
    public Integer call() throws Exception {
      String remote = args.get(args.size() - 1);
      InputStream in = args.size() == 2 ? local(args.get(0), () -> Files.newInputStream(Path.of(args.get(0))))
          : new FileInputStream(FileDescriptor.in);
      try (in) {
        return fs.withFiles(files -> put(files, in, remote));
      }
    }

    /** From stdin only: a LOCAL file is read by the command's own process. */
    @Override
    public HandOverHandler.Job handOver(Path cwd, HandOverHandler.Hosts hosts) throws HandOverHandler.FallBack {
      if (args.size() != 1) {
        throw new HandOverHandler.FallBack("fs put LOCAL REMOTE runs in its own process");
      }
      HandOverHandler.Host host = fs.host(hosts);
      return io -> {
        try (RemoteFileSystem files = new RemoteFileSystem(host.opener())) {
          return put(files, io.in(), args.get(0));
        }
      };
    }

    private int put(RemoteFileSystem files, InputStream in, String remote) throws IOException {
      RemoteFileSystem.FileWriter out = files.openWrite(remote, true, !noClobber);
      try {
        copy(in, out);
      } catch (IOException | RuntimeException e) {
        out.abort();
        throw e;
      }
      out.close();
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "get", description = "Copy REMOTE to LOCAL (default: its name in the current directory; - for stdout).")
  static final class Get implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Parameters(index = "0", paramLabel = "REMOTE")
    String remote;

    @Parameters(index = "1", paramLabel = "LOCAL", arity = "0..1")
    String local;

    @Override
    public Integer call() throws Exception {
      if ("-".equals(local)) {
        return fs.withFiles(files -> {
          try (InputStream in = files.openRead(remote)) {
            OutputStream out = new FileOutputStream(FileDescriptor.out);
            copy(in, out);
            out.flush();
          }
          return 0;
        });
      }
      Path target = local != null ? Path.of(local) : Path.of(Path.of(remote).getFileName().toString());
      if (Files.isDirectory(target)) {
        target = target.resolve(Path.of(remote).getFileName().toString());
      }
      Path destination = target.toAbsolutePath();
      // Local side atomic too: a failed transfer leaves no half file behind.
      Path temp = local(destination.getParent().toString(),
          () -> Files.createTempFile(destination.getParent(), "." + destination.getFileName(), ".tether-tmp"));
      try {
        fs.withFiles(files -> {
          try (InputStream in = files.openRead(remote); OutputStream out = Files.newOutputStream(temp)) {
            copy(in, out);
          }
          return null;
        });
        Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
      return 0;
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "rm", description = "Delete files; directories with -r.")
  static final class Rm implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = {"-r", "-R", "--recursive"}, description = "delete directories and their content")
    boolean recursive;

    @Option(names = {"-f", "--force"}, description = "a missing path is not an error")
    boolean force;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        for (String path : paths) {
          try {
            files.delete(path, recursive);
          } catch (FileSystemError e) {
            if (!(force && e.kind() == FileSystemError.Kind.FileNotFound)) {
              throw e;
            }
          }
        }
        return 0;
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "mkdir", description = "Create directories and their missing parents (always like mkdir -p).")
  static final class Mkdir implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = "-p", description = "accepted for habit's sake; parents are always created")
    boolean parents;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        for (String path : paths) {
          files.mkdir(path);
        }
        return 0;
      });
    }
  }

  /** {@code mv} and {@code cp}: FROM, TO and {@code -n}, differing only in what they ask of the host. */
  abstract static class FromTo implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = {"-n", "--no-clobber"}, description = "fail with FileExists rather than replace TO")
    boolean noClobber;

    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", paramLabel = "TO")
    String to;

    abstract void apply(RemoteFileSystem files, boolean overwrite) throws IOException;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        apply(files, !noClobber);
        return 0;
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "mv", description = "Rename FROM to TO; replaces an existing TO unless -n.")
  static final class Mv extends FromTo {
    @Override
    void apply(RemoteFileSystem files, boolean overwrite) throws IOException {
      files.rename(from, to, overwrite);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "cp", description = "Copy a file or a directory tree on the host; replaces an existing TO unless -n.")
  static final class Cp extends FromTo {
    @Override
    void apply(RemoteFileSystem files, boolean overwrite) throws IOException {
      files.copy(from, to, overwrite);
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "realpath", description = "The canonical path: links, . and .. resolved.")
  static final class Realpath implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() throws Exception {
      return fs.withFiles(files -> {
        PrintStream out = stdout();
        out.println(files.realpath(path));
        out.flush();
        return 0;
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "watch", description = "Print changes under PATH as they happen, one 'created|changed|deleted PATH' line each, until interrupted.")
  static final class Watch implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = "--exclude", paramLabel = "GLOB", description = "do not watch matching paths (repeatable), e.g. node_modules, .git")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--no-recursive", description = "only PATH's own entries")
    boolean flat;

    @Option(names = "--poll", description = "poll instead of inotify")
    boolean poll;

    @Option(names = "--debounce", paramLabel = "MS", description = "batch changes this close together (default ${DEFAULT-VALUE})")
    long debounceMillis = 100;

    @Parameters(paramLabel = "PATH")
    String path;

    @Override
    public Integer call() throws Exception {
      FsWire.WatchRequest request = new FsWire.WatchRequest();
      request.path = path;
      request.recursive = !flat;
      request.excludes = excludes;
      request.poll = poll;
      request.debounceMillis = debounceMillis;
      PrintStream err = System.err;
      return fs.withFiles(files -> {
        try (RemoteFileSystem.Watch watch = files.watch(request)) {
          err.println("tether: watching " + path + " (" + watch.mode() + ")");
          if (watch.warning() != null) {
            err.println("tether: " + watch.warning());
          }
          PrintStream out = stdout();
          FsWire.WatchMessage message;
          while ((message = watch.next()) != null) {
            if (message.warning != null) {
              err.println("tether: " + message.warning);
            }
            for (FileChange change : message.changes == null ? List.<FileChange>of() : message.changes) {
              out.println(change.type + " " + change.path);
            }
            out.flush();
          }
          return 0;
        }
      });
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "grep", description = "Search files under PATH for a regular expression (or -F text), .gitignore-aware; prints PATH:LINE:TEXT.")
  static final class Grep implements Callable<Integer> {
    @ParentCommand
    FsCommand fs;

    @Option(names = {"-F", "--fixed-strings"}, description = "PATTERN is literal text, not a regular expression")
    boolean literal;

    @Option(names = {"-i", "--ignore-case"})
    boolean ignoreCase;

    @Option(names = "--include", paramLabel = "GLOB", description = "only files matching (repeatable), e.g. *.java")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "skip matching paths (repeatable)")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--no-ignore", description = "also search what .gitignore ignores, and .git")
    boolean noIgnore;

    @Option(names = {"-m", "--max-count"}, paramLabel = "N", description = "stop after N matches (default ${DEFAULT-VALUE})")
    int max = 10_000;

    @Parameters(index = "0", paramLabel = "PATTERN")
    String pattern;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    @Override
    public Integer call() throws Exception {
      FsWire.SearchRequest request = new FsWire.SearchRequest();
      request.path = path;
      request.query = pattern;
      request.regex = !literal;
      request.caseSensitive = !ignoreCase;
      request.include = include;
      request.exclude = exclude;
      request.gitignore = !noIgnore;
      request.maxResults = max;
      try {
        return fs.withFiles(files -> {
          try (RemoteFileSystem.Search search = files.search(request)) {
            PrintStream out = stdout();
            SearchMatch match;
            while ((match = search.next()) != null) {
              out.println(match.path + ":" + match.line + ":" + match.text);
            }
            out.flush();
            return search.summary().matches > 0 ? 0 : 1;
          }
        });
      } catch (IOException e) {
        System.err.println("tether: " + Tether.userMessage(e));
        return 2;
      }
    }
  }
}
