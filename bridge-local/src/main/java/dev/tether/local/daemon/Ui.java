package dev.tether.local.daemon;

import com.google.gson.JsonObject;
import dev.tether.local.ssh.Prompter;
import dev.tether.local.ssh.SshFailure;
import dev.tether.mux.Channel;
import dev.tether.mux.ChannelFlavour;
import dev.tether.mux.Session;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The user behind one CLI command, as seen from the daemon: progress lines go to that command's
 * stderr and prompts (key passphrases, passwords) are answered at its terminal or by its SSH_ASKPASS,
 * over a {@code ui} channel the daemon opens back to the command.
 */
public final class Ui implements Prompter {
  private final Session client;
  private Channel channel;

  Ui(Session client) {
    this.client = client;
  }

  /** A Ui that tells nobody anything and cannot prompt (for tests and background reconnects). */
  public static Ui none() {
    return new Ui(null);
  }

  public synchronized void progress(String line) {
    JsonObject message = new JsonObject();
    message.addProperty("progress", line);
    try {
      channel().writeMessage(DaemonProtocol.json(message));
    } catch (IOException | RuntimeException unreachable) {
      // Progress is a courtesy: a command that stopped listening loses nothing else.
    }
  }

  /** How far the transfer {@code line} names has got, for a progress bar (a plain line where there is none). */
  public synchronized void transfer(String line, long done, long total) {
    JsonObject message = new JsonObject();
    message.addProperty("progress", line);
    message.addProperty("done", done);
    message.addProperty("total", total);
    try {
      channel().writeMessage(DaemonProtocol.json(message));
    } catch (IOException | RuntimeException unreachable) {
      // as for progress
    }
  }

  /**
   * Tells the command something about its host's connection that its user should see (lost,
   * reconnected): {@code tether lsp} shows it in the editor, other commands on stderr.
   */
  public synchronized void notice(String line) {
    JsonObject message = new JsonObject();
    message.addProperty("notice", line);
    try {
      channel().writeMessage(DaemonProtocol.json(message));
    } catch (IOException | RuntimeException unreachable) {
      // the command is gone or not listening
    }
  }

  /** A warning about the connection reaches the command like a notice (the editor shows it too). */
  @Override
  public void warn(String line) {
    notice(line);
  }

  @Override
  public synchronized String prompt(String message, boolean echo) {
    JsonObject ask = new JsonObject();
    ask.addProperty("prompt", message);
    ask.addProperty("echo", echo);
    try {
      Channel ui = channel();
      ui.writeMessage(DaemonProtocol.json(ask));
      byte[] reply = ui.readMessage();
      JsonObject answer = reply == null ? null : DaemonProtocol.parse(reply);
      return answer == null || !answer.has("answer") || answer.get("answer").isJsonNull()
          ? null : answer.get("answer").getAsString();
    } catch (IOException | RuntimeException e) {
      throw new SshFailure(SshFailure.Kind.NO_PROMPTER, "cannot ask '" + message.strip()
          + "': the tether command that asked has no terminal and no SSH_ASKPASS");
    }
  }

  @Override
  public boolean isAvailable() {
    return client != null;
  }

  private Channel channel() throws IOException {
    if (client == null) {
      throw new IOException("no user to talk to");
    }
    if (channel == null) {
      channel = client.open(DaemonProtocol.UI, ChannelFlavour.MESSAGES, "");
    }
    return channel;
  }

  void close() {
    if (channel != null) {
      channel.close();
    }
  }

  /** The CLI's side of a {@code ui} channel: shows progress and notices, answers prompts with {@code prompter}. */
  public static void serve(Channel channel, Progress progress, Consumer<String> notices, Prompter prompter) {
    Thread thread = new Thread(() -> {
      try {
        byte[] raw;
        while ((raw = channel.readMessage()) != null) {
          JsonObject message = DaemonProtocol.parse(raw);
          if (message.has("progress") && message.has("total")) {
            progress.bytes(message.get("progress").getAsString(), message.get("done").getAsLong(),
                message.get("total").getAsLong());
          } else if (message.has("progress")) {
            progress.step(message.get("progress").getAsString());
          } else if (message.has("notice")) {
            notices.accept(message.get("notice").getAsString());
          } else if (message.has("prompt")) {
            JsonObject reply = new JsonObject();
            String answer;
            try {
              answer = prompter.prompt(message.get("prompt").getAsString(), message.get("echo").getAsBoolean());
            } catch (RuntimeException e) {
              answer = null;
            }
            reply.addProperty("answer", answer);
            channel.writeMessage(DaemonProtocol.json(reply));
          }
        }
      } catch (IOException ignored) {
        // the daemon finished with us
      } finally {
        // Our half too: a channel left half-open stays in both sides' tables and keeps its receive
        // window, so one per notice would spend the daemon's receive budget and later opens be refused.
        channel.close();
      }
    }, "ui");
    thread.setDaemon(true);
    thread.start();
  }
}
