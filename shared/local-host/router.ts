export interface RouteMatch<T> {
  target: T;
  params: Record<string, string>;
}

interface CompiledRoute<T> {
  target: T;
  methods: Set<string>;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
}

/**
 * Matches paths against Azure Functions route templates (`partners/{partnerId}/verification`,
 * optional `{x?}`, catch-all `{*rest}`, constraints like `{id:int}` accepted and ignored). Routes with
 * more literal segments win, as in the host's ASP.NET routing.
 */
export class Router<T> {
  private readonly routes: CompiledRoute<T>[] = [];

  add(template: string, methods: readonly string[], target: T): void {
    const names: string[] = [];
    let literalSegments = 0;
    const parts = template.replace(/^\/+|\/+$/g, '').split('/').map((segment) => {
      const param = /^\{(\*?)(\w+)(?::[^}?]+)?(\?)?\}$/.exec(segment);
      if (!param) {
        literalSegments++;
        return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      }
      names.push(param[2] ?? '');
      if (param[1]) return '(?:/(.*))?';
      return param[3] ? '(?:/([^/]+))?' : '/([^/]+)';
    });
    this.routes.push({
      target,
      methods: new Set(methods.map((m) => m.toUpperCase())),
      pattern: new RegExp(`^${parts.join('')}/?$`, 'i'),
      names,
      literalSegments,
    });
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments || a.names.length - b.names.length);
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    for (const route of this.routes) {
      if (!route.methods.has(method.toUpperCase())) continue;
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
