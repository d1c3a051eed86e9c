export interface RouteMatch<T> {
  target: T;
  params: Record<string, string>;
}

interface CompiledRoute<T> {
  target: T;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
  /** How many path segments the template can match: a cheap test before the pattern. */
  minSegments: number;
  maxSegments: number;
}

/**
 * Matches paths against Azure Functions route templates (`partners/{partnerId}/verification`,
 * optional `{x?}`, catch-all `{*rest}`, constraints like `{id:int}` accepted and ignored). Routes with
 * more literal segments win, as in the host's ASP.NET routing.
 */
export class Router<T> {
  /** Per method, most literal segments first: a request is tried only against its method's routes. */
  private readonly routes = new Map<string, CompiledRoute<T>[]>();

  add(template: string, methods: readonly string[], target: T): void {
    const names: string[] = [];
    let literalSegments = 0;
    let minSegments = 0;
    let maxSegments = 0;
    const parts = template
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((segment) => {
        const param = /^\{(\*?)(\w+)(?::[^}?]+)?(\?)?\}$/.exec(segment);
        if (!param) {
          literalSegments++;
          minSegments++;
          maxSegments++;
          return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
        }
        names.push(param[2] ?? '');
        if (param[1]) {
          maxSegments = Infinity;
          return '(?:/(.*))?';
        }
        maxSegments++;
        if (param[3]) return '(?:/([^/]+))?';
        minSegments++;
        return '/([^/]+)';
      });
    const route: CompiledRoute<T> = { target, pattern: new RegExp(`^${parts.join('')}/?$`, 'i'), names, literalSegments, minSegments, maxSegments };
    for (const method of new Set(methods.map((m) => m.toUpperCase()))) {
      const routes = this.routes.get(method) ?? [];
      routes.push(route);
      routes.sort((a, b) => b.literalSegments - a.literalSegments || a.names.length - b.names.length);
      this.routes.set(method, routes);
    }
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    const routes = this.routes.get(method.toUpperCase());
    if (!routes) return undefined;
    const segments = segmentCount(path);
    for (const route of routes) {
      if (segments < route.minSegments || segments > route.maxSegments) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        const value = m[i + 1];
        if (value !== undefined) params[name] = decodeURIComponent(value);
      });
      return { target: route.target, params };
    }
    return undefined;
  }
}

/** Non-empty segments of a path (`/a/b/` has 2), counted without splitting. */
function segmentCount(path: string): number {
  let count = 0;
  for (let i = 0; i < path.length; i++) {
    if (path.charCodeAt(i) !== 47 && (i === 0 || path.charCodeAt(i - 1) === 47)) count++;
  }
  return count;
}
