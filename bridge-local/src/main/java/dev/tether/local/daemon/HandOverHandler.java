package dev.tether.local.daemon;

import dev.tether.adapters.ChannelOpener;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the daemon runs for a command that handed it its stdio ({@link HandOverServer}): the CLI
 * decides from the arguments (the same parser as the full CLI) and runs the command's data path here.
 * The daemon knows the hosts, the CLI knows the commands.
 */
public interface HandOverHandler {
  /**
   * Returns what to run for {@code args} (the command line after {@code tether}), or throws
   * {@link FallBack} when the command must run in its own process: usage errors and help, a host not
   * connected yet (connecting may prompt), commands not served here. Reads no descriptor.
   */
  Job prepare(List<String> args, Path cwd, Hosts hosts) throws FallBack;

  /** A handed-over command's work. Called on a daemon thread of its own, once. */
  @FunctionalInterface
  interface Job {
    /** Runs the command on the handed-over descriptors; returns its exit status. */
    int run(HandedStdio io) throws Exception;
  }

  /** The hosts the daemon holds sessions with. */
  interface Hosts {
    /** The host named by {@code spec} if its session is already up; else FallBack (the CLI connects). */
    Host connected(RemoteSpec spec) throws FallBack;
  }

  /** One host's session, for a handed-over command. */
  interface Host {
    ChannelOpener opener();

    /** Tells {@code listener} about the connection (lost, reconnected) until the returned handle is closed. */
    AutoCloseable onNotice(Consumer<String> listener);
  }

  /** The command runs the full CLI in its own process instead; the reason is for the daemon's log. */
  final class FallBack extends Exception {
    public FallBack(String reason) {
      super(reason, null, false, false);
    }
  }
}
