package io.gantry.capability;

/** The deployment management capability criteria of practice guide Table 7.1, each with its PSF, dimension and level. */
public enum Criterion {
  APPROACH_DEFINED_AND_AGREED(Psf.APPROACHES, "An approach to deployment is defined and agreed for the organization",
      Dimension.VALUE_STREAMS, 3),
  APPROACH_RESPONSIBILITY(Psf.APPROACHES, "Responsibility for the approach to deployment is clearly defined",
      Dimension.VALUE_STREAMS, 3),
  APPROACH_INTEGRATED(Psf.APPROACHES,
      "The deployment approach is integrated with other standards and approaches adopted by the organization",
      Dimension.VALUE_STREAMS, 4),
  APPROACH_MONITORED(Psf.APPROACHES, "The effectiveness of the deployment approach is monitored and evaluated",
      Dimension.VALUE_STREAMS, 4),
  APPROACH_IMPROVED(Psf.APPROACHES, "The deployment approach is regularly reviewed and continually improved",
      Dimension.VALUE_STREAMS, 5),
  DEPLOYED_SUCCESSFULLY(Psf.DEPLOYMENT,
      "New and changed services and service components are successfully deployed in the target environments",
      Dimension.VALUE_STREAMS, 2),
  AUTOMATED(Psf.DEPLOYMENT, "Deployment is automated where reasonably possible", Dimension.INFORMATION, 3),
  TRACKED(Psf.DEPLOYMENT, "Deployment information is tracked and managed in an integrated information system",
      Dimension.INFORMATION, 3),
  COMPETENCIES(Psf.DEPLOYMENT, "Deployment includes required competencies and human resources",
      Dimension.PEOPLE, 3),
  THIRD_PARTIES(Psf.DEPLOYMENT,
      "Deployment includes dependencies and relationships with third parties where appropriate",
      Dimension.PARTNERS, 3),
  WORKFLOWS(Psf.DEPLOYMENT, "Deployment includes required workflows and procedures where appropriate",
      Dimension.VALUE_STREAMS, 3),
  TECHNOLOGIES(Psf.DEPLOYMENT, "Deployment includes required technologies and information flows",
      Dimension.INFORMATION, 3),
  VALUE_STREAMS(Psf.DEPLOYMENT, "Deployment is effectively integrated in the organization's value streams",
      Dimension.VALUE_STREAMS, 4),
  MODELS_IMPROVED(Psf.DEPLOYMENT,
      "Deployment models, plans, and scenarios are regularly reviewed and continually improved",
      Dimension.VALUE_STREAMS, 5);

  /** The practice success factors of Table 7.1. */
  public enum Psf {
    APPROACHES("Establishing and maintaining effective approaches to the deployment of services and service "
        + "components across the organization"),
    DEPLOYMENT("Ensuring the effective deployment of services and service components in the context of the "
        + "organization's value streams");

    private final String text;

    Psf(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** The four dimensions of service management. */
  public enum Dimension {
    PEOPLE("Organizations and people"),
    INFORMATION("Information and technology"),
    PARTNERS("Partners and suppliers"),
    VALUE_STREAMS("Value streams and processes");

    private final String text;

    Dimension(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private final Psf psf;
  private final String text;
  private final Dimension dimension;
  private final int level;

  Criterion(Psf psf, String text, Dimension dimension, int level) {
    this.psf = psf;
    this.text = text;
    this.dimension = dimension;
    this.level = level;
  }

  /** The criterion's id in the API and CLI: its name in lower case with hyphens ({@code approach-defined-and-agreed}). */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  public Psf psf() {
    return psf;
  }

  /** The criterion as Table 7.1 words it. */
  public String text() {
    return text;
  }

  public Dimension dimension() {
    return dimension;
  }

  /** The capability level (2 to 5) the criterion belongs to. */
  public int level() {
    return level;
  }

  /** The criterion of an id, as {@link #id()} gives it. */
  public static Criterion fromId(String id) {
    for (Criterion c : values()) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException("no capability criterion \"" + id + "\"; one of "
        + java.util.Arrays.stream(values()).map(Criterion::id).toList());
  }
}
