/**
 * Who is told what about a deployment, and how: the notifications a model's stages declare ({@code on},
 * {@code channel}, {@code to}), the people a deployment waits for, and what users subscribed to themselves.
 * Each event of the outbox that tells of a deployment's moment is planned into deliveries here
 * ({@link io.gantry.events.Fanout}) and sent by e-mail (SMTP), to Slack and Microsoft Teams incoming webhooks, or
 * to a generic signed JSON webhook ({@link io.gantry.events.Sink}). The notices of a model version that came into
 * force are mailed to each person told ({@link io.gantry.notification.ModelNoticeFanout}).
 */
package io.gantry.notification;
