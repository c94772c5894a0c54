package cloud.krake.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The starter's jar describes its properties for IDEs: the configuration processor's generated
 * metadata holds the {@code krake.*} properties and the health indicator's switch, which is not a
 * {@code @ConfigurationProperties} field and so comes from the additional metadata.
 */
class ConfigurationMetadataTest {

  @Test
  void theGeneratedMetadataNamesTheKrakePropertiesAndTheHealthIndicatorSwitch() throws Exception {
    JsonNode metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json on the classpath").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new ArrayList<>();
    metadata.path("properties").forEach(p -> names.add(p.path("name").asText()));

    assertThat(names).contains("krake.workers", "management.health.krake.enabled");
    JsonNode health =
        metadata.path("properties").findParents("name").stream()
            .filter(p -> p.path("name").asText().equals("management.health.krake.enabled"))
            .findFirst()
            .orElseThrow();
    assertThat(health.path("type").asText()).isEqualTo("java.lang.Boolean");
    assertThat(health.path("defaultValue").asBoolean()).isTrue();
  }
}
