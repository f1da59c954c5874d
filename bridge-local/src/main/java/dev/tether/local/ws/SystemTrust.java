package dev.tether.local.ws;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's default trust (its CA store and host-name check), remembering the fingerprint of the
 * certificate it was shown, so that a refusal can say what to pin when the user trusts it anyway.
 */
final class SystemTrust extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager system;
  private volatile String seen;

  SystemTrust() throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    X509ExtendedTrustManager found = null;
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        found = extended;
      }
    }
    if (found == null) {
      throw new GeneralSecurityException("this Java has no X.509 trust manager");
    }
    this.system = found;
  }

  String seen() {
    return seen;
  }

  SSLContext context() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {this}, new SecureRandom());
    return context;
  }

  private void record(X509Certificate[] chain) throws CertificateException {
    if (chain != null && chain.length > 0) {
      seen = PinnedTrust.fingerprint(chain[0]);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    record(chain);
    system.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    record(chain);
    system.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    record(chain);
    system.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a client certificate is not expected here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a client certificate is not expected here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a client certificate is not expected here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return system.getAcceptedIssuers();
  }
}
