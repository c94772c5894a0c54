package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sets of applications interested in one object, small and immutable or shared. */
class ClusterObjectsInterestTest {

  @Test
  void aSingleApplicationGetsAnImmutableSet() {
    Set<String> apps = ClusterObjects.withApp(null, "a");

    assertThat(apps).containsExactly("a");
    assertThat(ClusterObjects.withApp(apps, "a")).isSameAs(apps);
    assertThat(ClusterObjects.withoutApp(apps, "b")).isSameAs(apps);
    assertThat(ClusterObjects.withoutApp(apps, "a")).isNull();
  }

  @Test
  void membershipIsExactWhileTheSetGrowsPastTheSmallFormAndShrinksBack() {
    Set<String> apps = null;
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 3 * ClusterObjects.SMALL_INTEREST; i++) {
      apps = ClusterObjects.withApp(apps, "app-" + i);
      apps = ClusterObjects.withApp(apps, "app-" + i); // declared twice: no change
      expected.add("app-" + i);
      assertThat(apps).containsExactlyInAnyOrderElementsOf(expected);
    }
    for (int i = 0; i < 3 * ClusterObjects.SMALL_INTEREST; i++) {
      apps = ClusterObjects.withoutApp(apps, "app-" + i);
      expected.remove("app-" + i);
      if (expected.isEmpty()) {
        assertThat(apps).isNull();
      } else {
        assertThat(apps).containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }

  @Test
  void aSetOfManyApplicationsIsChangedInPlaceNotCopied() {
    Set<String> apps = null;
    for (int i = 0; i <= ClusterObjects.SMALL_INTEREST; i++) {
      apps = ClusterObjects.withApp(apps, "app-" + i);
    }

    assertThat(ClusterObjects.withApp(apps, "another")).isSameAs(apps).contains("another");
    assertThat(ClusterObjects.withoutApp(apps, "another")).isSameAs(apps).doesNotContain("another");
  }
}
