package io.gantry.metrics;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Ratings", description = "Requesters rate their finished deployments")
class RatingController {

  private final Ratings ratings;
  private final DeploymentReach deployments;

  RatingController(Ratings ratings, DeploymentReach deployments) {
    this.ratings = ratings;
    this.deployments = deployments;
  }

  /** Each 1 (poor) to 5 (excellent). */
  record NewRating(Integer leadTime, Integer quality, Integer rateOfChange, @Size(max = 2000) String comment) {}

  @PostMapping("/api/v1/deployments/{id}/ratings")
  @Operation(summary = "Rate a finished deployment's lead time and quality, 1-5, optionally the rate of change "
      + "(rateOfChange, 1-5), with a comment; only its requester may, once")
  ResponseEntity<Rating> rate(@PathVariable long id, @Valid @RequestBody NewRating body, Principal principal) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(ratings.rate(id, body.leadTime(), body.quality(), body.rateOfChange(), body.comment(),
            principal.getName()));
  }

  @GetMapping("/api/v1/deployments/{id}/ratings")
  @Operation(summary = "The rating of a deployment (read as the deployment is)")
  Rating get(@PathVariable long id, Principal principal) {
    deployments.require(id, principal);
    return ratings.find(id).orElseThrow(() -> new NotFoundException("rating of deployment", String.valueOf(id)));
  }
}
