package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LoadProtocolTest {

  @BeforeAll
  static void initialiseWithoutTheProperty() {
    // LOCATIONS is read once, when the class initialises: before any test sets the property
    System.clearProperty(LoadProtocol.CLUSTERS_PROPERTY);
    assertThat(LoadProtocol.LOCATIONS).isNotEmpty();
  }

  @AfterEach
  void clearProperty() {
    System.clearProperty(LoadProtocol.CLUSTERS_PROPERTY);
  }

  @Test
  void twoClustersWithoutTheProperty() {
    assertThat(LoadProtocol.clusters()).isEqualTo(2);
    assertThat(LoadProtocol.LOCATIONS).containsExactly("a", "b");
    assertThat(LoadProtocol.location(0)).isEqualTo("a");
    assertThat(LoadProtocol.location(3)).isEqualTo("b");
  }

  @Test
  void clustersComeFromTheProperty() {
    System.setProperty(LoadProtocol.CLUSTERS_PROPERTY, "4");

    assertThat(LoadProtocol.clusters()).isEqualTo(4);
  }

  @Test
  void clustersOutOfRangeAreRefusedNamingTheProperty() {
    System.setProperty(LoadProtocol.CLUSTERS_PROPERTY, "27");

    assertThatThrownBy(LoadProtocol::clusters)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("krake.load.clusters")
        .hasMessageContaining("27");
  }
}
