package dev.tether.adapters.catalog;

/** The catalog cannot answer: an unknown name, or a user catalog file that is not valid. */
public class CatalogException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CatalogException(String message) {
    super(message);
  }

  public CatalogException(String message, Throwable cause) {
    super(message, cause);
  }
}
