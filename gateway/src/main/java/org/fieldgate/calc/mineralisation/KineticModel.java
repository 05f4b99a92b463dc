package org.fieldgate.calc.mineralisation;

/** Shrinking-core (unreacted-core) kinetics of the rock's carbonation (docs/science.md §3.4). */
public enum KineticModel {
    /** Product-layer diffusion control: 1 - 3 (1 - X)^(2/3) + 2 (1 - X) = t / tau. */
    DIFFUSION {
        @Override
        public double g(double x) {
            double y = 1 - x;
            return 1 - 3 * Math.cbrt(y * y) + 2 * y;
        }

        @Override
        public double fractionAt(double tOverTau) {
            if (tOverTau <= 0) {
                return 0;
            }
            if (tOverTau >= 1) {
                return 1;
            }
            // With z = (1 - X)^(1/3): 2 z^3 - 3 z^2 + 1 - s = 0. Its root in [0, 1] is
            // z = 1/2 + cos(acos(2 s - 1)/3 - 2 pi/3) (trigonometric solution of the depressed cubic).
            double z = 0.5 + Math.cos(Math.acos(2 * tOverTau - 1) / 3 - 2 * Math.PI / 3);
            return 1 - z * z * z;
        }
    },
    /** Surface-reaction control: 1 - (1 - X)^(1/3) = t / tau. */
    REACTION {
        @Override
        public double g(double x) {
            return 1 - Math.cbrt(1 - x);
        }

        @Override
        public double fractionAt(double tOverTau) {
            if (tOverTau <= 0) {
                return 0;
            }
            if (tOverTau >= 1) {
                return 1;
            }
            double z = 1 - tOverTau;
            return 1 - z * z * z;
        }
    };

    /** The model's g(X), which equals t / tau. */
    public abstract double g(double x);

    /** X at t / tau (1 from t = tau on: the core is used up). */
    public abstract double fractionAt(double tOverTau);
}
