package dev.tether.adapters.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * A typed file-system failure naming the path it concerns, modelled on VS Code's
 * {@code FileSystemError}: callers switch on {@link #kind()} instead of parsing messages. On the wire
 * it travels as the text {@code "Kind: /path"} (optionally {@code " (detail)"}) in a channel refusal or
 * reset, and as a JSON-RPC error with {@code data: {kind, path}}; see docs/FS.md.
 */
public final class FileSystemError extends IOException {
  private static final long serialVersionUID = 1L;

  /** The failure kinds; names are wire values. */
  public enum Kind {
    FileNotFound, FileExists, FileNotADirectory, FileIsADirectory, NoPermissions, Unavailable;

    /** The kind a wire reason starts with ({@code "FileNotFound: /x"}), or null if it names none. */
    static Kind ofReason(String reason) {
      if (reason == null) {
        return null;
      }
      int colon = reason.indexOf(':');
      if (colon < 0) {
        return null;
      }
      String name = reason.substring(0, colon);
      for (Kind kind : values()) {
        if (kind.name().equals(name)) {
          return kind;
        }
      }
      return null;
    }
  }

  private final Kind kind;
  private final String path;

  public FileSystemError(Kind kind, String path, String detail) {
    this(kind + ": " + path + (detail == null || detail.isBlank() ? "" : " (" + detail + ")"), kind, path);
  }

  /** With the peer's text as it came: it already reads {@code "Kind: path (detail)"}. */
  private FileSystemError(String message, Kind kind, String path) {
    super(message);
    this.kind = kind;
    this.path = path;
  }

  public FileSystemError(Kind kind, String path) {
    this(kind, path, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The path the failure concerns, as the caller named it. */
  public String path() {
    return path;
  }

  /** What the peer reads: {@code "Kind: path"} plus the detail, if any. */
  public String reason() {
    return getMessage();
  }

  /**
   * Rebuilds an error from a wire reason; {@code path} is the one the caller asked about. A reason
   * naming no kind (a transport failure, say) becomes {@link Kind#Unavailable} with the text kept.
   */
  public static FileSystemError fromReason(String reason, String path) {
    Kind kind = Kind.ofReason(reason);
    if (kind == null) {
      return new FileSystemError(Kind.Unavailable, path, reason);
    }
    return new FileSystemError(reason, kind, path);
  }

  /** Maps Java's exceptions onto the kinds; {@code path} names what the caller asked about. */
  public static FileSystemError of(IOException e, Path path) {
    return of(e, String.valueOf(path));
  }

  /** Like {@link #of(IOException, Path)} with the path as the caller spelled it. */
  public static FileSystemError of(IOException e, String path) {
    if (e instanceof FileSystemError typed) {
      return typed;
    }
    String at = e instanceof FileSystemException fse && fse.getFile() != null ? fse.getFile() : path;
    if (e instanceof NoSuchFileException) {
      return new FileSystemError(Kind.FileNotFound, at);
    }
    if (e instanceof FileAlreadyExistsException) {
      return new FileSystemError(Kind.FileExists, at);
    }
    if (e instanceof NotDirectoryException) {
      return new FileSystemError(Kind.FileNotADirectory, at);
    }
    if (e instanceof AccessDeniedException) {
      return new FileSystemError(Kind.NoPermissions, at);
    }
    if (e instanceof DirectoryNotEmptyException) {
      return new FileSystemError(Kind.FileIsADirectory, at, "directory not empty; delete it with recursive");
    }
    String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    if (reason != null) {
      if (reason.contains("Is a directory")) {
        return new FileSystemError(Kind.FileIsADirectory, at);
      }
      if (reason.contains("Not a directory")) {
        return new FileSystemError(Kind.FileNotADirectory, at);
      }
      if (reason.contains("Permission denied") || reason.contains("Operation not permitted")) {
        return new FileSystemError(Kind.NoPermissions, at);
      }
    }
    return new FileSystemError(Kind.Unavailable, at, reason == null ? e.toString() : reason);
  }
}
