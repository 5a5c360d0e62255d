"""Pure, seeded model functions called by the dbt Python models in python_models/ml.

Every function takes plain arrays or Arrow tables and returns an Arrow table (or plain
values); none reads or writes files, and every random choice takes an explicit seed.
"""

import os

from threadpoolctl import threadpool_limits

from customer360.project import setting

# dbt runs two models at once (profiles.yml `threads`), so the OpenMP and BLAS threads of
# scikit-learn and numpy inside a model compete with the other model's for the cores;
# their waiting threads spin and burn CPU. Measured: KMeans k selection on 5,000
# customers took 29.3 s of CPU with the default threads on a busy 2-core machine, and
# 4.1 s with one. C360_ML_THREADS sets the number (default 1): through the environment
# for the libraries loaded from here on (an OMP_NUM_THREADS of your own wins), and
# through threadpoolctl for those already loaded.
ML_THREADS = setting("C360_ML_THREADS")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, ML_THREADS)
threadpool_limits(limits=int(ML_THREADS))
