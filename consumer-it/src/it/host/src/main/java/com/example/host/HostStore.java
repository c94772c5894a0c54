package com.example.host;

import cloud.krake.store.etcd.EtcdStore;
import java.net.URI;

/** The host's store: Krake's etcd store on the platform's etcd. */
public final class HostStore {

  private HostStore() {}

  /** An etcd store talking to {@code endpoint}; it connects on first use. */
  public static EtcdStore open(URI endpoint) {
    return EtcdStore.builder().endpoint(endpoint).build();
  }
}
