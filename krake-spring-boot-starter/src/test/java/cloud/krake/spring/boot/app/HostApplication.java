package cloud.krake.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A host web application with nothing of its own: Krake comes from the starter. */
@SpringBootApplication
public class HostApplication {}
