package dev.tether.adapters.ext.remote;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonSyntaxException;
import dev.tether.adapters.ext.ExtensionManifest;
import dev.tether.adapters.ext.ExtensionManifest.Entry;
import dev.tether.adapters.ext.ExtensionManifest.ManifestException;
import dev.tether.adapters.ext.Framing;
import dev.tether.adapters.process.ProcessGroup;
import dev.tether.adapters.process.StderrLog;
import dev.tether.mux.Channel;
import dev.tether.mux.ErrorCode;
import dev.tether.mux.MuxException;
import dev.tether.mux.OpenRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote half of workspace extensions ({@code ext} channels): starts a JSON-RPC program that the
 * workspace declares in {@code .tether/extensions.json}, or one given by argv, next to the code, and
 * carries its stdio as a message channel, framed on the process side as it declares (Content-Length
 * or one message per line). Its stderr goes to the agent log.
 *
 * <p>Its lifetime is the channel's: it runs in a session and process group of its own; when the
 * opener ends its side, its stdin is closed and it has {@link #EXIT_GRACE} to exit; when the channel
 * fails (reset, session gone) or the program exits, its whole group is ended, double-forked children
 * included.
 *
 * <p>Opening one runs a program the workspace names, as the user the agent runs as: the same as
 * that user running it by hand, which is what the opener asked for. The argv never passes through a
 * shell. Threading: one thread per direction plus one for stderr, all daemon threads.
 */
public final class ExtensionHost {
  /** How long an extension may take to exit after its stdin closed before its group is ended. */
  public static final Duration EXIT_GRACE = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(ExtensionHost.class);
  private static final Logger STDERR_LOG = LoggerFactory.getLogger("dev.tether.extension-stderr");
  private static final Gson GSON = new Gson();

  /** What the opener asks for: a declared name in a workspace, or an argv with cwd, env and framing. */
  static final class Request {
    String workspace;
    String name;
    List<String> command;
    String cwd;
    Map<String, String> env;
    String framing;
  }

  private final int maxMessageSize;

  public ExtensionHost(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Handles one {@code ext} OPEN: starts the program and accepts, or rejects with the reason. */
  public void open(OpenRequest request) throws MuxException {
    Entry entry;
    try {
      entry = resolve(parse(request.metadata()));
    } catch (ManifestException | IllegalArgumentException e) {
      request.reject(ErrorCode.CHANNEL_REFUSED, e.getMessage());
      return;
    }
    Process process;
    try {
      process = ProcessGroup.start(entry.argv(), entry.cwd(), entry.env());
    } catch (IOException e) {
      request.reject(ErrorCode.SERVICE_ERROR, "cannot start extension " + entry.name() + " on the host: " + e.getMessage());
      return;
    }
    ProcessGroup group = ProcessGroup.started(process);
    JsonObject answer = new JsonObject();
    answer.addProperty("name", entry.name());
    answer.addProperty("pid", process.pid());
    answer.addProperty("framing", entry.framing().wireName());
    answer.add("command", GSON.toJsonTree(entry.argv()));
    Channel channel;
    try {
      channel = request.accept(answer.toString());
    } catch (MuxException e) {
      group.end(Duration.ZERO);
      throw e;
    }
    // The program's name only at INFO: its arguments and environment may hold secrets.
    LOG.info("extension {} started (pid {}, {})", entry.name(), process.pid(), program(entry.argv()));
    LOG.debug("extension {} (pid {}): argv {}, cwd {}, env {}", entry.name(), process.pid(), entry.argv(), entry.cwd(), entry.env());
    new Running(channel, process, group, entry).start();
  }

  private static Request parse(String metadata) {
    Request wanted;
    try {
      wanted = metadata.isBlank() ? null : GSON.fromJson(metadata, Request.class);
    } catch (JsonSyntaxException e) {
      throw new IllegalArgumentException("an ext channel's metadata must be a JSON object: " + e.getMessage());
    }
    if (wanted == null || (wanted.name == null) == (wanted.command == null || wanted.command.isEmpty())) {
      throw new IllegalArgumentException("an ext channel needs exactly one of \"name\" (with \"workspace\") or \"command\"");
    }
    return wanted;
  }

  private static Entry resolve(Request wanted) throws ManifestException {
    if (wanted.name != null) {
      if (wanted.workspace == null || wanted.workspace.isBlank()) {
        throw new IllegalArgumentException("an ext channel by \"name\" needs \"workspace\": the directory holding "
            + ExtensionManifest.FILE);
      }
      return ExtensionManifest.read(Path.of(wanted.workspace)).entry(wanted.name);
    }
    Framing framing = wanted.framing == null ? Framing.CONTENT_LENGTH : Framing.named(wanted.framing);
    if (framing == null) {
      throw new IllegalArgumentException("\"framing\" must be \"content-length\" or \"newline\", not \"" + wanted.framing + "\"");
    }
    if (wanted.command.get(0) == null || wanted.command.get(0).isEmpty() || wanted.command.contains(null)) {
      throw new IllegalArgumentException("\"command\" must be a non-empty array of strings");
    }
    if (wanted.cwd != null && !wanted.cwd.startsWith("/")) {
      throw new IllegalArgumentException("\"cwd\" must be an absolute path on the host, not '" + wanted.cwd + "'");
    }
    return new Entry(program(wanted.command), List.copyOf(wanted.command), wanted.cwd,
        wanted.env == null ? Map.of() : wanted.env, framing);
  }

  private static String program(List<String> argv) {
    String program = argv.get(0);
    return program.substring(program.lastIndexOf('/') + 1);
  }

  /** One live extension and its three pumps. */
  private final class Running {
    private final Channel channel;
    private final Process process;
    private final ProcessGroup group;
    private final Framing framing;
    private final String name;
    private final StderrLog stderr;

    Running(Channel channel, Process process, ProcessGroup group, Entry entry) {
      this.channel = channel;
      this.process = process;
      this.group = group;
      this.framing = entry.framing();
      this.name = "extension " + entry.name() + " (pid " + process.pid() + ")";
      this.stderr = new StderrLog(STDERR_LOG, this.name);
    }

    void start() {
      daemon("ext-in-" + process.pid(), this::clientToProcess);
      daemon("ext-out-" + process.pid(), this::processToClient);
      daemon("ext-err-" + process.pid(), () -> stderr.pump(process.getErrorStream()));
      // What it double-forked holds its stdout open: without this, its end would never be seen.
      process.onExit().thenRun(() -> daemon("ext-end-" + process.pid(), () -> group.end(Duration.ofSeconds(1))));
      // A reset or a lost session: nobody is left to talk to it.
      channel.closeFuture().whenComplete((ok, failed) -> {
        if (failed != null) {
          daemon("ext-reset-" + process.pid(), () -> group.end(Duration.ofSeconds(1)));
        }
      });
    }

    private void clientToProcess() {
      OutputStream stdin = process.getOutputStream();
      try {
        byte[] message;
        while ((message = channel.readMessage()) != null) {
          framing.write(stdin, message);
        }
        LOG.info("{}: client side ended; closing its stdin", name);
      } catch (IOException e) {
        LOG.info("{}: client side ended: {}", name, e.getMessage());
      }
      try {
        stdin.close();
      } catch (IOException alreadyExited) {
        // nothing left to tell
      }
      awaitExitThenEnd();
    }

    private void awaitExitThenEnd() {
      try {
        if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.info("{}: still running {} s after its stdin closed; ending its process group", name, EXIT_GRACE.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      group.end(Duration.ofSeconds(1));
      channel.close();
    }

    private void processToClient() {
      Framing.Reader reader = framing.reader(process.getInputStream(), maxMessageSize);
      try {
        byte[] message;
        while ((message = reader.read()) != null) {
          channel.writeMessage(message);
        }
        int status = process.waitFor();
        if (status == 0) {
          channel.halfClose();
        } else {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " exited with status " + status + stderr.reason());
        }
        LOG.info("{}: exited with status {}", name, status);
      } catch (MuxException e) {
        LOG.info("{}: channel ended: {}", name, e.getMessage());
        group.end(Duration.ofSeconds(1));
      } catch (IOException e) {
        if (process.isAlive()) {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " sent output that is not " + framing.wireName()
              + "-framed JSON-RPC: " + e.getMessage());
          group.end(Duration.ofSeconds(1));
        } else {
          channel.reset(ErrorCode.SERVICE_ERROR, name + " exited with status " + process.exitValue()
              + " in the middle of a message" + stderr.reason());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
