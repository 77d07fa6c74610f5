package io.gantry.catalog;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.http.converter.xml.MappingJackson2XmlHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The SBOM libraries bring Jackson 2's XML module onto the class path (CycloneDX's parser needs it even
 * for JSON), and Spring MVC would then answer a request for XML with it. The API speaks JSON only, so
 * that converter is taken out again.
 */
@Configuration
class JsonOnlyApi implements WebMvcConfigurer {

  @Override
  @SuppressWarnings("deprecation")
  public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
    builder.configureMessageConvertersList(
        converters -> converters.removeIf(c -> c instanceof MappingJackson2XmlHttpMessageConverter));
  }
}
