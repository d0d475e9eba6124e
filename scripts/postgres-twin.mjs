// The PostgreSQL twin of prisma/schema.prisma: same models, other provider, its own client output.
export function postgresTwin(schemaText) {
  const header =
    "// GENERATED from prisma/schema.prisma by `npm run db:sync-schemas` — do not edit by hand.\n";
  const text = schemaText
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/url\s*=\s*"file:[^"]*"/, 'url      = "postgresql://localhost/stayloop"')
    .replace(
      /engineType\s*=\s*"client"/,
      'engineType = "client"\n  output     = "../../node_modules/.prisma/client-postgresql"',
    );
  if (text === schemaText) {
    throw new Error("prisma/schema.prisma no longer has the expected generator/datasource lines");
  }
  return header + text;
}
