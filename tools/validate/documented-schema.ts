/**
 * A schema written from an upstream's documentation, and the check of a parsed YAML value against
 * it: an unknown key, a value of the wrong type, a missing required key and a value outside the
 * documented ones are problems, each with the documentation URL that states the fact.
 */

export type DocumentedType = 'string' | 'int' | 'number' | 'bool' | 'duration' | 'object' | 'list' | 'map' | 'any';

export interface DocumentedField {
  /** One type, or several where the documentation gives more than one (`['number', 'string']`). */
  type: DocumentedType | readonly DocumentedType[];
  required?: boolean;
  /** The documented values, when the documentation lists them. */
  values?: readonly (string | number)[];
  /** `object`: its documented keys (an unknown key is a problem unless `open`). */
  fields?: Readonly<Record<string, DocumentedField>>;
  /** `object`: keys beyond `fields` are the upstream's to interpret (a plugin's own settings): not judged. */
  open?: boolean;
  /** `object`: documented families of keys (`httpHeaderName1`, `httpHeaderName2`, …), each with its field. */
  patterns?: readonly { pattern: RegExp; field: DocumentedField }[];
  /** `list`: each item; `map`: each value. */
  items?: DocumentedField;
  /** The documentation page (with its section) that states this field. */
  doc: string;
}

/** One problem: a path inside the file (`datasources[0].isDefault`) and what is wrong there. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/**
 * Values Grafana interpolates from the environment (`$VAR`, `${VAR}`) are strings in the file but
 * typed when read: accepted for any scalar type (administration/provisioning, "Use environment variables").
 */
const ENV_REFERENCE = /^\$(\w+|\{\w+\})$/;

/** Prometheus' duration grammar (prometheus/common model.ParseDuration), which Grafana's alerting reads durations with. */
const PROMETHEUS_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fits(value: unknown, type: DocumentedType): boolean {
  if (typeof value === 'string' && ENV_REFERENCE.test(value) && !['object', 'list', 'map'].includes(type)) return true;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'duration':
      return typeof value === 'string' && value !== '' && PROMETHEUS_DURATION.test(value);
    case 'object':
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'list':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

const join = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** Every problem of `value` against `field`, in document order; `path` names the value in its file. */
export function schemaProblems(value: unknown, field: DocumentedField, path = ''): SchemaProblem[] {
  const types = typeof field.type === 'string' ? [field.type] : field.type;
  if (!types.some((t) => fits(value, t))) {
    return [{ path, message: `${typeOf(value)} where the documentation says ${types.join(' or ')} (${field.doc})` }];
  }
  if (field.values && !field.values.includes(value as string | number) && !(typeof value === 'string' && ENV_REFERENCE.test(value))) {
    return [
      {
        path,
        message: `${typeOf(value)} is not one of the documented values ${field.values.map((v) => JSON.stringify(v)).join(', ')} (${field.doc})`,
      },
    ];
  }
  const problems: SchemaProblem[] = [];
  if (Array.isArray(value) && field.items) {
    for (const [i, item] of value.entries()) problems.push(...schemaProblems(item, field.items, join(path, i)));
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (field.fields) {
      for (const [key, inner] of entries) {
        const known = field.fields[key] ?? field.patterns?.find((p) => p.pattern.test(key))?.field;
        if (known) problems.push(...schemaProblems(inner, known, join(path, key)));
        else if (!field.open) {
          problems.push({
            path: join(path, key),
            message: `unknown key "${key}": the documentation lists ${Object.keys(field.fields).sort().join(', ')} (${field.doc})`,
          });
        }
      }
      for (const [key, known] of Object.entries(field.fields)) {
        if (known.required && !(key in (value as Record<string, unknown>)))
          problems.push({ path: join(path, key), message: `missing required key "${key}" (${known.doc})` });
      }
    } else if (field.items) {
      for (const [key, inner] of entries) problems.push(...schemaProblems(inner, field.items, join(path, key)));
    }
  }
  return problems;
}
