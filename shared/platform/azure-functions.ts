// @azure/functions is a CommonJS bundle whose named exports Node's ESM loader cannot detect, so its
// values are taken from the default export here, once, and re-exported under their usual names.
import functions from '@azure/functions';
import type * as Types from '@azure/functions';

export const { app, HttpRequest, HttpResponse, InvocationContext } = functions;
export type HttpRequest = Types.HttpRequest;
export type HttpResponse = Types.HttpResponse;
export type InvocationContext = Types.InvocationContext;
export type HttpResponseInit = Types.HttpResponseInit;
export type Timer = Types.Timer;
export type LogLevel = Types.LogLevel;
