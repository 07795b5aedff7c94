/**
 * Shared helpers of the lint tests: the app's TypeScript sources parsed with the compiler API.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const ROOT = path.resolve(__dirname, "../..");

export type Source = { file: string; sf: ts.SourceFile };

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|tsx)$/.test(name) && !/\.d\.ts$/.test(name)) out.push(full);
  }
}

/** Non-test sources under app/ and lib/, paths relative to the repository root. */
export function appSources(): Source[] {
  const files: string[] = [];
  for (const d of ["app", "lib"]) walk(path.join(ROOT, d), files);
  return files
    .filter((f) => !/\.(test|int\.test)\.tsx?$/.test(f))
    .map((full) => {
      const file = path.relative(ROOT, full).split(path.sep).join("/");
      const sf = ts.createSourceFile(file, readFileSync(full, "utf8"), ts.ScriptTarget.Latest, true, full.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
      return { file, sf };
    });
}

export function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (c) => visit(c, fn));
}

export function calls(sf: ts.SourceFile): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  visit(sf, (n) => {
    if (ts.isCallExpression(n)) out.push(n);
  });
  return out;
}

/** `foo(...)` → "foo"; `a.b.foo(...)` → "foo". */
export function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** `events.x(...)` → "x" (the builder), else undefined. */
export function builderOf(expr: ts.Expression): string | undefined {
  if (!ts.isCallExpression(expr)) return undefined;
  const e = expr.expression;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "events") return e.name.text;
  return undefined;
}

/** The innermost enclosing function-like node. */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let n = node.parent; n; n = n.parent) if (ts.isFunctionLike(n) && "body" in n) return n as ts.FunctionLikeDeclaration;
  return undefined;
}

/** The name of the nearest named enclosing function (declaration, method, or `const name = () => ...`). */
export function enclosingFunctionName(node: ts.Node): string | undefined {
  for (let n = node.parent; n; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name)) return n.name.text;
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent) && ts.isIdentifier(n.parent.name))
      return n.parent.name.text;
  }
  return undefined;
}

export function where(src: Source, node: ts.Node): string {
  const { line } = src.sf.getLineAndCharacterOfPosition(node.getStart());
  return `${src.file}:${line + 1}`;
}
