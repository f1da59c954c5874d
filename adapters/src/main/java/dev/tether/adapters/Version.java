package dev.tether.adapters;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * This build's version and the git commit it was built from, shared by the local bridge and the agent
 * so they can detect skew and users can say what they run: {@code version.properties}, filled in by the
 * build, and {@code git.properties}, written by git-commit-id-maven-plugin (offline, from {@code .git}) at
 * every build; a build without a repository has none.
 */
public final class Version {
  private static final String VERSION = load("version.properties").getProperty("version", "dev");
  private static final String COMMIT = commit(load("git.properties"));

  private Version() {}

  public static String current() {
    return VERSION;
  }

  /**
   * The abbreviated commit id, with {@code -dirty} when the work tree had uncommitted changes, or
   * {@code unknown} when the build had no git repository (a source tarball) or no git.
   */
  public static String commit() {
    return COMMIT;
  }

  /** {@code VERSION (commit C)}: what {@code --version} prints after the program's name. */
  public static String describe() {
    return VERSION + " (commit " + COMMIT + ")";
  }

  static String commit(Properties git) {
    String id = git.getProperty("git.commit.id.abbrev", "");
    if (id.isBlank()) { // the build found no repository
      return "unknown";
    }
    return "true".equals(git.getProperty("git.dirty")) ? id + "-dirty" : id;
  }

  private static Properties load(String resource) {
    Properties properties = new Properties();
    try (InputStream in = Version.class.getResourceAsStream(resource)) {
      if (in != null) {
        properties.load(in);
      }
      return properties;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
