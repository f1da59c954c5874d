package dev.tether.remote.ws;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tether-remote service install|uninstall|status}: {@code tether-remote serve} as a systemd user
 * unit ({@code ~/.config/systemd/user/tether-remote.service}, Restart=always), so the endpoint comes back
 * after a crash or a reboot (with lingering). The serve options are checked before the unit is written.
 */
public final class UserService {
  public static final String USAGE = "tether-remote service install [--no-start] SERVE-OPTIONS... | uninstall | status";
  static final String UNIT = "tether-remote.service";

  private final Path home;
  private final Path configHome;
  private final PrintStream err;

  /** @param configHome where systemd looks for user units ({@code $XDG_CONFIG_HOME}, or {@code ~/.config}) */
  public UserService(Path home, Path configHome, PrintStream err) {
    this.home = home;
    this.configHome = configHome;
    this.err = err;
  }

  /** For this user: {@code $XDG_CONFIG_HOME} when set, else {@code HOME/.config}. */
  public static UserService forUser(Path home, PrintStream err) {
    String config = System.getenv("XDG_CONFIG_HOME");
    return new UserService(home, config != null && config.startsWith("/") ? Path.of(config) : home.resolve(".config"), err);
  }

  Path unitFile() {
    return configHome.resolve("systemd").resolve("user").resolve(UNIT);
  }

  public int run(String[] args) throws IOException, InterruptedException {
    if (args.length < 2) {
      throw new IllegalArgumentException("service needs install, uninstall or status\nusage: " + USAGE);
    }
    switch (args[1]) {
      case "install" -> {
        return install(Arrays.copyOfRange(args, 2, args.length));
      }
      case "uninstall" -> {
        return uninstall();
      }
      case "status" -> {
        return status();
      }
      default -> throw new IllegalArgumentException("unknown service command '" + args[1] + "'\nusage: " + USAGE);
    }
  }

  private int install(String[] options) throws IOException, InterruptedException {
    boolean start = true;
    List<String> serve = new ArrayList<>();
    for (String option : options) {
      if (option.equals("--no-start")) {
        start = false;
      } else {
        serve.add(option);
      }
    }
    WsServe.parse(serve.toArray(String[]::new), 0); // a usage error now, not a unit that fails at each restart
    Path unit = unitFile();
    Files.createDirectories(unit.getParent());
    Files.writeString(unit, unitText(serve), StandardCharsets.UTF_8);
    err.println("tether-remote: wrote " + unit);
    if (!start) {
      err.println("tether-remote: start it with: systemctl --user daemon-reload && systemctl --user enable --now " + UNIT);
      return 0;
    }
    return systemctl("daemon-reload") == 0 && systemctl("enable", "--now", UNIT) == 0 ? 0 : failed("enable --now");
  }

  private int uninstall() throws IOException, InterruptedException {
    Path unit = unitFile();
    if (Files.notExists(unit)) {
      err.println("tether-remote: no unit at " + unit);
      return 0;
    }
    int stopped = systemctl("disable", "--now", UNIT);
    Files.delete(unit);
    err.println("tether-remote: removed " + unit);
    systemctl("daemon-reload");
    return stopped == 0 ? 0 : failed("disable --now");
  }

  private int status() throws IOException, InterruptedException {
    Path unit = unitFile();
    if (Files.notExists(unit)) {
      err.println("tether-remote: not installed (no " + unit + ")");
      return 3;
    }
    err.println("tether-remote: installed at " + unit);
    int code = systemctl("is-active", UNIT);
    return code < 0 ? 0 : code;
  }

  /** The unit: this Java and this jar running serve with the options given, restarted whenever it ends. */
  String unitText(List<String> serveOptions) {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-jar", jar(), "serve"));
    command.addAll(serveOptions);
    StringBuilder exec = new StringBuilder();
    for (String part : command) {
      exec.append(exec.length() == 0 ? "" : " ").append(quote(part));
    }
    return String.join("\n",
        "# Written by tether-remote service install; tether-remote service uninstall removes it.",
        "[Unit]",
        "Description=Tether agent on a WebSocket endpoint (tether-remote serve)",
        "After=network-online.target",
        "",
        "[Service]",
        "ExecStart=" + exec,
        "Restart=always",
        "RestartSec=2",
        "Environment=HOME=" + quote(home.toString()),
        "",
        "[Install]",
        "WantedBy=default.target",
        "");
  }

  private static String jar() {
    try {
      return Path.of(UserService.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (Exception e) {
      throw new IllegalStateException("cannot tell where the agent jar is: " + e.getMessage(), e);
    }
  }

  /** systemd's quoting: double quotes, with backslash, quote, dollar and percent escaped. */
  static String quote(String word) {
    String escaped = word.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$");
    return "\"" + escaped + "\"";
  }

  /** Runs {@code systemctl --user ARGS}; -1 when systemctl is not there. */
  private int systemctl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("systemctl", "--user"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      err.println("tether-remote: systemctl is not available here (" + e.getMessage() + ")");
      return -1;
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }

  private int failed(String what) {
    err.println("tether-remote: 'systemctl --user " + what + " " + UNIT + "' failed; in a login session with a user"
        + " manager run: systemctl --user daemon-reload && systemctl --user enable --now " + UNIT);
    return 1;
  }
}
