sh ../../validation/gpu/test-harness.sh
