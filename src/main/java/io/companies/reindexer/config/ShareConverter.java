package io.companies.reindexer.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads a share, a number from 0 to 1: a value out of range stops the service at start, naming it, rather than
 * silently switching off (or making impossible) what it guards.
 */
public final class ShareConverter implements Converter<Double> {

    @Override
    public Double convert(String value) {
        double share;
        try {
            share = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Expected a number from 0 to 1, not '" + value + "'", e);
        }
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("Expected a number from 0 to 1, not " + value);
        }
        return share;
    }
}
