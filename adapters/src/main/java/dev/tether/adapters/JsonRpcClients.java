package dev.tether.adapters;

import dev.tether.mux.Channel;
import dev.tether.mux.Workers;
import dev.tether.mux.jsonrpc.LspStreams;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;

/** The local halves of JSON-RPC services: a typed proxy over a message channel, and plain-exception waits. */
public final class JsonRpcClients {
  private JsonRpcClients() {}

  /**
   * A proxy calling {@code service}'s methods on the agent over {@code channel}. When the channel's
   * input ends (the agent closed it, a reset, the session lost), calls still waiting fail with the
   * reason instead of hanging: LSP4J by itself never completes them.
   */
  public static <T> Connection<T> connect(Channel channel, Class<T> service) {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    java.io.InputStream quiet = new java.io.FilterInputStream(LspStreams.input(channel)) {
      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        try {
          int n = super.read(b, off, len);
          if (n < 0) {
            ended.completeExceptionally(new IOException("the agent closed the channel"));
          }
          return n;
        } catch (IOException e) {
          // The end of the channel is reported to the callers; LSP4J would only log a stack trace.
          ended.completeExceptionally(e);
          return -1;
        }
      }
    };
    Launcher<T> launcher = new Launcher.Builder<T>()
        .setLocalService(new Object())
        .setRemoteInterface(service)
        .setInput(quiet)
        .setOutput(LspStreams.output(channel, 16 * 1024 * 1024))
        .setExecutorService(Workers.shared())
        .create();
    launcher.startListening();
    return new Connection<>(launcher.getRemoteProxy(), ended);
  }

  /** A typed proxy and the end of its channel. */
  public static final class Connection<T> {
    private final T remote;
    private final CompletableFuture<Void> ended;

    Connection(T remote, CompletableFuture<Void> ended) {
      this.remote = remote;
      this.ended = ended;
    }

    public T remote() {
      return remote;
    }

    /** {@code call}, failing with the channel's end if that comes first. */
    public <R> CompletableFuture<R> guard(CompletableFuture<R> call) {
      CompletableFuture<R> guarded = new CompletableFuture<>();
      call.whenComplete((value, error) -> {
        if (error != null) {
          guarded.completeExceptionally(error);
        } else {
          guarded.complete(value);
        }
      });
      ended.whenComplete((ignored, error) -> guarded.completeExceptionally(
          error != null ? error : new IOException("the agent closed the channel")));
      return guarded;
    }

    /** Waits for a call's answer; the agent's error message or the channel's end become an IOException. */
    public <R> R await(CompletableFuture<R> call, String what) throws IOException {
      return JsonRpcClients.await(guard(call), what);
    }
  }

  /** Waits for a call's answer; the agent's error message (or the channel's end) becomes an IOException. */
  public static <T> T await(CompletableFuture<T> call, String what) throws IOException {
    try {
      return call.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(what + " interrupted");
    } catch (CancellationException e) {
      throw new IOException(what + ": the channel to the agent closed before it answered", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof ResponseErrorException error) {
        throw new IOException(error.getResponseError().getMessage(), error);
      }
      if (cause instanceof IOException io) {
        throw new IOException(what + ": " + io.getMessage(), io);
      }
      throw new IOException(what + " failed: " + (cause == null ? e : cause).getMessage(), cause);
    }
  }

  /**
   * The channel's input as a stream that runs {@code onEnd} once, at end of stream or a read failure
   * (which it reports as the end): a JSON-RPC host uses it to learn that its client has gone (LSP4J
   * only stops listening).
   */
  public static java.io.InputStream endNotifying(java.io.InputStream in, Runnable onEnd) {
    java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
    return new java.io.FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        return check(() -> super.read());
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return check(() -> super.read(b, off, len));
      }

      private int check(IoRead read) throws IOException {
        try {
          int n = read.run();
          if (n < 0 && ended.compareAndSet(false, true)) {
            onEnd.run();
          }
          return n;
        } catch (IOException e) {
          // A reset or a lost session: the end, as far as the host is concerned (LSP4J would log a stack trace).
          if (ended.compareAndSet(false, true)) {
            onEnd.run();
          }
          return -1;
        }
      }
    };
  }

  private interface IoRead {
    int run() throws IOException;
  }
}
