"""Each adapter stays thin (issue 13: about 80 lines of code per interface)
and the line counts the README and docs/clients.md give are the real ones."""
import ast
import os
import re
import unittest

import support

ROOT = os.path.dirname(support.HERE)
ADAPTERS = ("neurocore.py", "flujo.py", "neurocore_cli.py")


def code_lines(path):
    """Lines that are neither blank, nor comments, nor docstrings."""
    src = open(path, encoding="utf-8").read()
    doc = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and ast.get_docstring(node) is not None:
            doc.update(range(node.body[0].lineno, node.body[0].end_lineno + 1))
    return sum(1 for i, line in enumerate(src.splitlines(), 1)
               if line.strip() and not line.strip().startswith("#") and i not in doc)


class Size(unittest.TestCase):
    def test_adapters_are_thin_and_their_counts_documented(self):
        readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
        clients = open(os.path.join(ROOT, "..", "..", "docs", "clients.md"), encoding="utf-8").read()
        for name in ADAPTERS:
            n = code_lines(os.path.join(ROOT, "workflow_persist", name))
            self.assertLessEqual(n, 85, name)
            for text in (readme, clients):
                self.assertIn("`workflow_persist/%s`: %d lines of code" % (name, n), text)


if __name__ == "__main__":
    unittest.main()
