"""docs/clients.md's complete Python example runs and prints what the page shows."""
import os
import re
import subprocess
import sys
import unittest

import support

PAGE = os.path.join(support.HERE, "..", "..", "..", "docs", "clients.md")


class DocsExample(unittest.TestCase):
    def test_the_complete_example_prints_its_output(self):
        text = open(PAGE, encoding="utf-8").read()
        m = re.search(r"<!-- clients\.md: python example -->\n```python\n(.*?)```\n```\n(.*?)```", text, re.S)
        self.assertIsNotNone(m, "no python example in docs/clients.md")
        for ns in ("docs-neurocore", "docs-flujo"):   # a second run starts afresh too
            support.sql("SELECT workflow_persist.wf_delete(id, namespace) FROM workflow_persist.wf_list("
                        "namespace => %s, max_rows => 1000)", ns)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        out = subprocess.run([sys.executable, "-"], input=m.group(1), env=env, capture_output=True, text=True,
                             cwd=os.path.dirname(support.HERE))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout, m.group(2))


if __name__ == "__main__":
    unittest.main()
