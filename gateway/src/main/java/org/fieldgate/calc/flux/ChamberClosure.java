package org.fieldgate.calc.flux;

import java.util.List;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.Require;

/**
 * One lid closure: the samples from the lid closing to its opening (docs/science.md §1.4).
 *
 * @param closureId identifier of the closure (unique within the chamber)
 * @param chamberId identifier of the chamber/collar
 * @param geometry  headspace volume (incl. collar offset) and soil area
 * @param samples   readings in any order; the calculator sorts them by time
 */
public record ChamberClosure(String closureId, String chamberId, ChamberGeometry geometry, List<ChamberSample> samples) {
    public ChamberClosure {
        Require.present("closureId", closureId);
        Require.present("chamberId", chamberId);
        Require.present("geometry", geometry);
        Require.present("samples", samples);
        if (closureId.isBlank()) {
            throw new InvalidInputException("closureId", "'" + closureId + "'", "must not be blank");
        }
        samples = List.copyOf(samples);
    }
}
