package io.companies.reindexer.config;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

import io.quarkus.runtime.configuration.MemorySize;

/**
 * A size setting ({@link MemorySize}) within {@link #min()} and {@link #max()} bytes: Bean Validation's own constraints
 * do not read sizes.
 */
@Target(METHOD)
@Retention(RUNTIME)
@Constraint(validatedBy = BytesRange.Check.class)
public @interface BytesRange {

    String message() default "must be between {min} and {max} bytes";

    long min();

    long max();

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** The check itself: an unset size is left to the mapping, which gives every size a default. */
    class Check implements ConstraintValidator<BytesRange, MemorySize> {

        private long min;
        private long max;

        @Override
        public void initialize(BytesRange range) {
            min = range.min();
            max = range.max();
        }

        @Override
        public boolean isValid(MemorySize size, ConstraintValidatorContext context) {
            return size == null || size.asLongValue() >= min && size.asLongValue() <= max;
        }
    }
}
