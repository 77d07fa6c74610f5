package io.gantry.shared;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps every request body that is not a multipart upload (JSON above all) at {@code
 * gantry.api.max-body} ({@code GANTRY_MAX_BODY}, default 10MB): a longer one is refused with 413 and
 * a problem document naming the limit, before anything reads it, authentication included. Uploads
 * have their own limits ({@code spring.servlet.multipart.*}, {@code GANTRY_MAX_UPLOAD}). A body whose
 * length is not declared (chunked) is read up to the limit and refused as soon as it goes past it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class RequestBodyLimit extends OncePerRequestFilter {

  private final long maxBytes;

  public RequestBodyLimit(@Value("${gantry.api.max-body:10MB}") DataSize maxBody) {
    if (maxBody.toBytes() < 1 || maxBody.toBytes() > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("gantry.api.max-body must be between 1B and 2GB, was " + maxBody);
    }
    this.maxBytes = maxBody.toBytes();
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String type = request.getContentType();
    return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/");
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBytes) {
      refuse(request, response);
      return;
    }
    if (declared >= 0) {
      // the server reads no more than the declared length as this request's body
      chain.doFilter(request, response);
      return;
    }
    byte[] body = request.getInputStream().readNBytes((int) maxBytes + 1);
    if (body.length > maxBytes) {
      refuse(request, response);
      return;
    }
    chain.doFilter(new Buffered(request, body), response);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String detail = "the request body is larger than the limit of " + maxBytes + " bytes (gantry.api.max-body, "
        + "GANTRY_MAX_BODY)";
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", ProblemResponses.TYPE_BASE + "body-too-large");
    problem.put("title", "Request body too large");
    problem.put("status", 413);
    problem.put("detail", detail);
    problem.put("instance", request.getRequestURI());
    problem.put("limit", maxBytes);
    problem.put("errors", List.of(Map.of("field", "body", "message", detail)));
    response.setStatus(413);
    response.setContentType("application/problem+json");
    response.setHeader("Connection", "close");
    response.getOutputStream().write(Json.write(problem).getBytes(StandardCharsets.UTF_8));
  }

  /** The request with its body, already read within the limit, given again from memory. */
  private static final class Buffered extends HttpServletRequestWrapper {
    private final ServletInputStream in;

    Buffered(HttpServletRequest request, byte[] body) {
      super(request);
      InputStream limited = new ByteArrayInputStream(body);
      this.in = new ServletInputStream() {
        private boolean finished;

        @Override
        public int read() throws IOException {
          int b = limited.read();
          finished = b < 0;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = limited.read(b, off, len);
          finished = n < 0;
          return n;
        }

        @Override
        public boolean isFinished() {
          return finished;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the API reads request bodies blocking");
        }
      };
    }

    @Override
    public ServletInputStream getInputStream() {
      return in;
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      return new BufferedReader(new InputStreamReader(in, charset));
    }
  }
}
