package io.gantry.notification;

import io.gantry.deployment.Deployments;
import io.gantry.events.DeliveryFailure;
import io.gantry.events.Destination;
import io.gantry.events.Sink;
import io.gantry.events.StoredEvent;
import io.gantry.identity.Users;
import io.gantry.model.ModelNotices;
import io.gantry.shared.NotFoundException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/**
 * Sends notifications by e-mail over the SMTP server of the server's settings ({@code spring.mail.host},
 * {@code spring.mail.port}, {@code spring.mail.username}, {@code spring.mail.password},
 * {@code spring.mail.properties.mail.smtp.starttls.enable}...), from {@code gantry.notifications.email.from}: one
 * message per delivery, to its recipients, with a plain text and an HTML part: a deployment's moment ({@link Notice}),
 * or the notice of a model version in force ({@link ModelNoticeMail}). Without an SMTP server the delivery
 * ends at once, saying so; a server that does not answer or refuses for now is tried again.
 */
@Component
class EmailSink implements Sink {

  private final ObjectProvider<JavaMailSender> mail;
  private final Deployments deployments;
  private final ModelNotices notices;
  private final String from;

  EmailSink(ObjectProvider<JavaMailSender> mail, Deployments deployments, ModelNotices notices,
      @Value("${gantry.notifications.email.from:gantry@localhost}") String from) {
    if (!from.matches("[^\\s@<>\"]+@[^\\s@<>\"]+")) {
      throw new IllegalArgumentException("gantry.notifications.email.from is not a plain e-mail address (such as "
          + "gantry@example.com): " + NotificationRules.printable(from));
    }
    this.mail = mail;
    this.deployments = deployments;
    this.notices = notices;
    this.from = from;
  }

  @Override
  public String channel() {
    return Channel.EMAIL.id();
  }

  @Override
  public String send(StoredEvent event, Destination destination) throws Exception {
    JavaMailSender sender = mail.getIfAvailable();
    if (sender == null) {
      throw new DeliveryFailure("no SMTP server is set: set spring.mail.host (and spring.mail.port, username, "
          + "password) to send e-mail", false);
    }
    List<InternetAddress> to = new ArrayList<>();
    for (String address : destination.address().split(",")) {
      if (!Users.isEmail(address)) {
        throw new DeliveryFailure("\"" + NotificationRules.printable(address) + "\" is not an e-mail address", false);
      }
      to.add(new InternetAddress(address, true));
    }
    MimeMessage message = sender.createMimeMessage();
    MimeMessageHelper helper = new MimeMessageHelper(message, true, StandardCharsets.UTF_8.name());
    helper.setFrom(from);
    helper.setTo(to.toArray(InternetAddress[]::new));
    if (ModelNoticeFanout.tellsOf(event)) {
      ModelNoticeMail notice = ModelNoticeMail.of(modelNotice(destination), event);
      helper.setSubject(notice.subject());
      helper.setText(notice.text(), notice.html());
    } else {
      Notice notice = NotificationSinks.notice(event, deployments);
      boolean turn = "true".equals(destination.settings().get(NotificationFanout.TURN));
      helper.setSubject(notice.subject());
      helper.setText(notice.text(turn), Messages.html(notice, turn));
    }
    message.setHeader("Gantry-Event-Id", event.eventId());
    try {
      sender.send(message);
    } catch (MailAuthenticationException | MailParseException | MailPreparationException e) {
      throw new DeliveryFailure("the SMTP server refused: " + e.getMessage(), e instanceof MailAuthenticationException);
    } catch (MailException e) {
      throw new DeliveryFailure("sending e-mail failed: " + e.getMessage(), true);
    }
    return "mailed to " + to.size() + " recipient(s)";
  }

  /** The notice a model update's delivery mails: the one its settings name, of the person they name. */
  private ModelNotices.Notice modelNotice(Destination destination) throws DeliveryFailure {
    String user = destination.settings().get(ModelNoticeFanout.USER);
    String id = destination.settings().get(ModelNoticeFanout.NOTICE);
    try {
      return notices.notice(user, Long.parseLong(id));
    } catch (NumberFormatException | NotFoundException e) {
      throw new DeliveryFailure("the delivery names notice " + id + " of " + user + ", which Gantry does not have",
          false);
    }
  }

}
