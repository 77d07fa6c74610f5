package io.gantry.config;

/** A configuration file as submitted: the name the user knows it by, and its text. */
public record ConfigFile(String name, String content) {}
