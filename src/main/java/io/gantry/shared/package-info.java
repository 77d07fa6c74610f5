/**
 * Shared kernel: error values every module raises (with the location of what was wrong), pages of
 * results, and the mapping of those to RFC 9457 problem documents.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.gantry.shared;
