package io.gantry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The Gantry server: REST API, storage, definitive media library and configuration as code. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GantryApplication {

  public static void main(String[] args) {
    SpringApplication.run(GantryApplication.class, args);
  }
}
