"""Prints an experiment spec (JSON with // comments) pointed at another data folder, for the bench scripts.

Usage: /usr/bin/python3 bench/spec_for_data.py SPEC DATA_DIR [NAME] [RANKING_OVERRIDES]
  NAME: the spec's new name ("" keeps it); RANKING_OVERRIDES: JSON object members merged into "ranking",
  e.g. '"train_step_months": 3, "threads": 2'.
"""
import json
import re
import sys

spec = json.loads(re.sub(r'(^|\s)//.*$', '', open(sys.argv[1]).read(), flags=re.M))
spec["data"] = {"path": sys.argv[2], "lenient": False}
if len(sys.argv) > 3 and sys.argv[3]:
    spec["name"] = sys.argv[3]
if len(sys.argv) > 4 and sys.argv[4]:
    spec["ranking"].update(json.loads("{" + sys.argv[4] + "}"))
print(json.dumps(spec, indent=2))
