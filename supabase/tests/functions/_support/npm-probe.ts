// A function for the gateway tests that needs an npm: package (zod, through the functions' deno.json).
import { z } from "zod";

Deno.serve(() => new Response(z.string().parse("npm resolved")));
