package io.gantry.shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.Handle;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;
import org.springframework.asm.Type;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * What the application's own code can construct when a method runs: the methods it calls, the lambdas
 * it makes and, for a call on an interface or an overridable method, every implementation of it in
 * the application, followed transitively through the application's classes (calls into libraries are
 * not followed). Read from the compiled classes, so what the API documents as its error answers is
 * what the code can raise, not what someone remembered to annotate; an over-approximation, as any
 * implementation of a called interface counts. Row mappers (methods taking a {@code ResultSet}) are
 * not followed: a stored row they refuse is no fault of the request.
 */
final class ReachableCode {

  private static final String ROOT_PACKAGE = "io/gantry/";
  private static final String RESULT_SET = "Ljava/sql/ResultSet;";

  private record Call(String owner, String name, String descriptor, boolean dispatched) {}

  private static final class MethodFacts {
    final Set<String> constructed = new HashSet<>();
    final List<Call> calls = new ArrayList<>();
    /** The success statuses (2xx) the method names: {@code HttpStatus.CREATED}, {@code ResponseEntity.noContent()}. */
    final Set<Integer> successes = new TreeSet<>();
    /** Whether it calls Spring's JDBC support (the database). */
    boolean database;
    /** Whether it writes: a JDBC update, or a file written, created, copied or moved. */
    boolean writes;
  }

  /**
   * What the code a handler reaches does: the internal names of the application's and library classes it constructs
   * (the exceptions it raises among them), whether it uses the database, and whether it writes (to the database or
   * to files).
   */
  record Reached(Set<String> constructed, boolean database, boolean writes) {}

  private static final Set<String> FILE_WRITES = Set.of("write", "writeString", "newOutputStream", "newByteChannel",
      "copy", "move", "createDirectories", "createDirectory", "createFile", "createTempFile", "createTempDirectory");

  private static final String HTTP_STATUS = "org/springframework/http/HttpStatus";
  private static final String RESPONSE_ENTITY = "org/springframework/http/ResponseEntity";
  private static final String SERVLET_RESPONSE = "jakarta/servlet/http/HttpServletResponse";
  private static final Map<String, Integer> RESPONSE_ENTITY_STATUSES = Map.of("ok", 200, "created", 201,
      "accepted", 202, "noContent", 204);

  private static final class ClassFacts {
    String superName;
    String[] interfaces = new String[0];
    final Map<String, MethodFacts> methods = new HashMap<>();
  }

  private final Map<String, ClassFacts> classes;
  private final Map<String, Set<String>> subtypes = new HashMap<>();

  private ReachableCode(Map<String, ClassFacts> classes) {
    this.classes = classes;
    classes.forEach((name, facts) -> {
      List<String> supers = new ArrayList<>(List.of(facts.interfaces));
      if (facts.superName != null) {
        supers.add(facts.superName);
      }
      supers.forEach(s -> subtypes.computeIfAbsent(s, k -> new HashSet<>()).add(name));
    });
  }

  /**
   * The application's classes: those beside this one (the same folder or jar), so that classes on the
   * class path only for tests do not change what is documented.
   */
  static ReachableCode ofApplication() {
    String self = ReachableCode.class.getName().replace('.', '/') + ".class";
    String url = ReachableCode.class.getClassLoader().getResource(self).toString();
    String root = url.substring(0, url.length() - self.length());
    var resolver = new PathMatchingResourcePatternResolver(ReachableCode.class.getClassLoader());
    Map<String, ClassFacts> classes = new HashMap<>();
    try {
      for (Resource resource : resolver.getResources(root + ROOT_PACKAGE + "**/*.class")) {
        try (InputStream in = resource.getInputStream()) {
          read(new ClassReader(in), classes);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the application's classes under " + root, e);
    }
    return new ReachableCode(classes);
  }

  /** What {@code method} and everything it reaches do, in one walk of the calls. */
  Reached reachedFrom(Method method) {
    Set<String> constructed = new TreeSet<>();
    boolean[] uses = new boolean[2];
    reach(method, facts -> {
      constructed.addAll(facts.constructed);
      uses[0] |= facts.database;
      uses[1] |= facts.writes;
    });
    return new Reached(constructed, uses[0], uses[1]);
  }

  /** Gives {@code visit} the facts of every method {@code method} reaches, itself included. */
  private void reach(Method method, java.util.function.Consumer<MethodFacts> visit) {
    Set<String> seen = new HashSet<>();
    Deque<String[]> todo = new ArrayDeque<>();
    todo.add(new String[] {Type.getInternalName(method.getDeclaringClass()), method.getName(),
        Type.getMethodDescriptor(method)});
    while (!todo.isEmpty()) {
      String[] next = todo.poll();
      String key = next[0] + '.' + next[1] + next[2];
      if (!seen.add(key)) {
        continue;
      }
      MethodFacts facts = declared(next[0], next[1], next[2]);
      if (facts == null || next[2].contains(RESULT_SET)) {
        // a row mapper: what it refuses is a stored row, not the request, and it answers 500 as it should
        continue;
      }
      visit.accept(facts);
      for (Call call : facts.calls) {
        String resolved = resolve(call.owner(), call.name(), call.descriptor());
        if (resolved != null) {
          todo.add(new String[] {resolved, call.name(), call.descriptor()});
        }
        if (call.dispatched()) {
          for (String sub : allSubtypes(call.owner())) {
            if (declared(sub, call.name(), call.descriptor()) != null) {
              todo.add(new String[] {sub, call.name(), call.descriptor()});
            }
          }
        }
      }
    }
  }

  /**
   * The success statuses a handler answers with, as its own code names them: {@code HttpStatus.CREATED}, {@code
   * ResponseEntity.noContent()}, {@code response.setStatus(206)}, in the method or in the methods of its own class
   * it calls (a controller's helpers). Empty when it names none: it answers as its return type does (200).
   */
  Set<Integer> successStatusesOf(Method method) {
    String owner = Type.getInternalName(method.getDeclaringClass());
    Set<Integer> statuses = new TreeSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(method.getName() + Type.getMethodDescriptor(method)));
    while (!todo.isEmpty()) {
      String next = todo.poll();
      MethodFacts facts = seen.add(next) ? declared(owner, next.substring(0, next.indexOf('(')),
          next.substring(next.indexOf('('))) : null;
      if (facts != null) {
        statuses.addAll(facts.successes);
        facts.calls.stream().filter(c -> c.owner().equals(owner)).forEach(c -> todo.add(c.name() + c.descriptor()));
      }
    }
    return statuses;
  }

  /** The first of {@code names} among {@code type} and its superclasses, or null. */
  String nearestAncestorIn(String type, Set<String> names) {
    for (String t = type; t != null; t = classes.containsKey(t) ? classes.get(t).superName : null) {
      if (names.contains(t)) {
        return t;
      }
    }
    return null;
  }

  private MethodFacts declared(String owner, String name, String descriptor) {
    ClassFacts facts = classes.get(owner);
    return facts == null ? null : facts.methods.get(name + descriptor);
  }

  /** The class whose method a call runs when the receiver is of the owner's own type (inherited or declared). */
  private String resolve(String owner, String name, String descriptor) {
    for (String t = owner; t != null && classes.containsKey(t); t = classes.get(t).superName) {
      if (declared(t, name, descriptor) != null) {
        return t;
      }
    }
    return null;
  }

  private Set<String> allSubtypes(String type) {
    Set<String> all = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(subtypes.getOrDefault(type, Set.of()));
    while (!todo.isEmpty()) {
      String sub = todo.poll();
      if (all.add(sub)) {
        todo.addAll(subtypes.getOrDefault(sub, Set.of()));
      }
    }
    return all;
  }

  private static void read(ClassReader reader, Map<String, ClassFacts> classes) {
    ClassFacts facts = new ClassFacts();
    reader.accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public void visit(int version, int access, String name, String signature, String superName,
          String[] interfaces) {
        facts.superName = superName;
        facts.interfaces = interfaces == null ? new String[0] : interfaces;
        classes.put(name, facts);
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        MethodFacts method = new MethodFacts();
        facts.methods.put(name + descriptor, method);
        return new MethodVisitor(Opcodes.ASM9) {
          /** The int constant pushed last, for the status a call to setStatus(int) takes; null after anything else. */
          private Integer pushed;

          @Override
          public void visitIntInsn(int opcode, int operand) {
            pushed = opcode == Opcodes.SIPUSH ? operand : null;
          }

          @Override
          public void visitInsn(int opcode) {
            pushed = null;
          }

          @Override
          public void visitVarInsn(int opcode, int varIndex) {
            pushed = null;
          }

          @Override
          public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            pushed = null;
            if (opcode == Opcodes.GETSTATIC && owner.equals(HTTP_STATUS)) {
              java.util.Arrays.stream(org.springframework.http.HttpStatus.values())
                  .filter(status -> status.name().equals(name) && status.is2xxSuccessful())
                  .forEach(status -> method.successes.add(status.value()));
            }
          }

          @Override
          public void visitTypeInsn(int opcode, String type) {
            pushed = null;
            if (opcode == Opcodes.NEW && type.equals("java/io/FileOutputStream")) {
              method.writes = true;
            }
            if (opcode == Opcodes.NEW) {
              method.constructed.add(type);
            }
          }

          @Override
          public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
            if (owner.equals(RESPONSE_ENTITY) && opcode == Opcodes.INVOKESTATIC
                && RESPONSE_ENTITY_STATUSES.containsKey(name)) {
              method.successes.add(RESPONSE_ENTITY_STATUSES.get(name));
            }
            if (owner.equals(SERVLET_RESPONSE) && name.equals("setStatus") && pushed != null && pushed / 100 == 2) {
              // on some path: the servlet's own 200 stays the answer of the others
              method.successes.add(pushed);
              method.successes.add(200);
            }
            pushed = null;
            if (owner.startsWith("org/springframework/jdbc/")) {
              method.database = true;
              method.writes |= name.equals("update") || name.equals("batchUpdate");
            }
            if (owner.equals("java/nio/file/Files") && FILE_WRITES.contains(name)) {
              method.writes = true;
            }
            if (owner.startsWith(ROOT_PACKAGE)) {
              method.calls.add(new Call(owner, name, descriptor,
                  opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE));
            }
          }

          @Override
          public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            // a lambda or method reference: its body counts as reachable from where it is made
            for (Object argument : arguments) {
              if (argument instanceof Handle handle && handle.getTag() == Opcodes.H_NEWINVOKESPECIAL) {
                method.constructed.add(handle.getOwner());
              } else if (argument instanceof Handle handle && handle.getOwner().startsWith(ROOT_PACKAGE)) {
                int tag = handle.getTag();
                method.calls.add(new Call(handle.getOwner(), handle.getName(), handle.getDesc(),
                    tag == Opcodes.H_INVOKEVIRTUAL || tag == Opcodes.H_INVOKEINTERFACE));
              }
            }
          }
        };
      }
    }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
  }
}
