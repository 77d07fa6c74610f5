package io.gantry.identity;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Every API call but health needs a bearer token; documentation, the configuration schema and the
 * health probes are open. Failures answer with problem documents, never a login page.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {

  /**
   * Every role but {@link Role#SUPPLIER}, held everywhere or in a scope, as Spring Security
   * authorities; the endpoints that serve them check the scope of what they do or read.
   */
  private static final String[] INSIDERS = Access.INSIDERS.stream()
      .flatMap(r -> java.util.stream.Stream.of(r.authority(), scoped(r))).toArray(String[]::new);

  /** Every role but the supplier's, held everywhere: for what is not about one service or environment. */
  private static final String[] INSIDERS_EVERYWHERE = Access.INSIDERS.stream().map(Role::authority)
      .toArray(String[]::new);

  /** The authority of a role held in a scope only: {@code SCOPED_SERVICE_OWNER}. */
  static String scoped(Role role) {
    return "SCOPED_" + role.name();
  }

  /**
   * Keeps the token filter a member of the API's chain only: as a bean, Spring Boot would also run it
   * as a filter of the server after the chain, looking the token up and touching it a second time on
   * every request.
   */
  /**
   * Spring Security makes no observations (management.observations.enable.spring.security=false turns off what it
   * would report): without this its filter chain would still wrap every filter of every request to observe it.
   */
  @Bean
  static org.springframework.security.config.observation.SecurityObservationSettings securityObservations() {
    return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
  }

  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<TokenAuthenticationFilter> tokensOnlyInTheChain(
      TokenAuthenticationFilter tokens) {
    var registration = new org.springframework.boot.web.servlet.FilterRegistrationBean<>(tokens);
    registration.setEnabled(false);
    return registration;
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http, TokenAuthenticationFilter tokens, SingleSignOn singleSignOn)
      throws Exception {
    http
        .csrf(c -> c.disable())
        .httpBasic(b -> b.disable())
        .formLogin(f -> f.disable())
        .logout(l -> l.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .authorizeHttpRequests(a -> a
            // a streamed answer (an artifact download) ends in an async dispatch of the request already
            // authorized; refusing it there dropped the connection after the answer was sent
            .dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll()
            .requestMatchers(HttpMethod.GET, "/api/v1/health", "/api/v1/schema/config", "/actuator/health",
                "/actuator/health/**").permitAll()
            .requestMatchers("/openapi", "/openapi/**", "/docs", "/docs/**", "/swagger-ui/**", "/v3/api-docs/**",
                "/schema/**", "/favicon.ico", "/error").permitAll()
            // webhook deliveries carry no API token: each is verified by its signature under its hook's secret
            .requestMatchers(HttpMethod.POST, "/api/v1/hooks/github/*", "/api/v1/hooks/gitlab/*").permitAll()
            // agents carry no API token: each call is checked against a registration token or the agent's own
            // credential by the agents' API, which answers anything else with 401
            .requestMatchers("/api/v1/agent/**").permitAll()
            // what a supplier may reach: the library (to push versions and read them back) and its own
            // identity and tokens; everything else (environments, targets, models, deployments, changes,
            // schedules, metrics) is for the roles inside the organization
            .requestMatchers(HttpMethod.GET, "/api/v1/users/me").authenticated()
            .requestMatchers("/api/v1/tokens", "/api/v1/tokens/*").authenticated()
            .requestMatchers(HttpMethod.GET, "/api/v1/services", "/api/v1/services/**", "/api/v1/components")
                .authenticated()
            .requestMatchers(HttpMethod.POST, "/api/v1/services/*/components/*/versions").authenticated()
            // the list of users and a plan of the whole configuration are about no one scope: a role held
            // only in a scope reaches neither
            .requestMatchers(HttpMethod.GET, "/api/v1/users").hasAnyAuthority(INSIDERS_EVERYWHERE)
            .requestMatchers(HttpMethod.POST, "/api/v1/config/plan").hasAnyAuthority(INSIDERS_EVERYWHERE)
            .anyRequest().hasAnyAuthority(INSIDERS))
        .addFilterBefore(tokens, AnonymousAuthenticationFilter.class)
        .exceptionHandling(e -> e
            .authenticationEntryPoint((request, response, ex) -> write(response, HttpStatus.UNAUTHORIZED,
                "unauthenticated", "Unauthenticated", "this call needs an API token: send Authorization: Bearer <token>"))
            .accessDeniedHandler((request, response, ex) -> write(response, HttpStatus.FORBIDDEN, "forbidden",
                "Forbidden", "your roles do not allow this")));
    singleSignOn.configure(http);
    return http.build();
  }

  static void write(HttpServletResponse response, HttpStatus status, String type, String title, String detail)
      throws IOException {
    io.gantry.shared.ProblemResponses.write(response, io.gantry.shared.ProblemResponses.problem(status, type, title,
        detail, List.of()));
  }

}
