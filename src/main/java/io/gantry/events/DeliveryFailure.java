package io.gantry.events;

/** A send that failed, with whether trying again may help (a 4xx answer other than 408/429 will not). */
public class DeliveryFailure extends Exception {

  private final boolean retryable;

  public DeliveryFailure(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
