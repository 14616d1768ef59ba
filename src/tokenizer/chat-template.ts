/**
 * Chat templates: the Jinja template a model ships in `tokenizer_config.json` (`chat_template`),
 * rendered with `@huggingface/jinja` the way transformers' `apply_chat_template` renders it.
 */
import { Template } from '@huggingface/jinja';
import { ForesightError, InvalidArgumentError } from '../errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** Special-token strings templates refer to by name (`{{ bos_token }}`). */
export type TemplateTokens = Record<'bos_token' | 'eos_token' | 'unk_token' | 'pad_token', string>;

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly tokens: TemplateTokens,
  ) {
    try {
      this.template = new Template(source);
    } catch (err) {
      throw new ForesightError('tokenizer', `tokenizer_config.json: chat_template does not parse: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * The template from tokenizer_config.json, if any. `chat_template` is a string, or a list of
   * `{ name, template }` of which the one named "default" is used (else the first).
   */
  static fromConfig(config: Record<string, unknown>, tokens: TemplateTokens): ChatTemplate | undefined {
    const raw = config.chat_template;
    if (typeof raw === 'string') return new ChatTemplate(raw, tokens);
    if (Array.isArray(raw)) {
      const named = raw as { name?: string; template?: string }[];
      const chosen = named.find((t) => t.name === 'default') ?? named[0];
      if (typeof chosen?.template === 'string') return new ChatTemplate(chosen.template, tokens);
    }
    return undefined;
  }

  render(messages: readonly ChatMessage[], opts: { addGenerationPrompt: boolean }): string {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new InvalidArgumentError('`messages` must be a non-empty array of { role, content }');
    }
    for (const [i, m] of messages.entries()) {
      if (typeof m?.role !== 'string' || typeof m?.content !== 'string') {
        throw new InvalidArgumentError(`messages[${i}] must be { role: string, content: string }`);
      }
    }
    try {
      return this.template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: opts.addGenerationPrompt,
        ...this.tokens,
      });
    } catch (err) {
      // Templates raise errors on purpose (e.g. "Conversation roles must alternate user/assistant").
      throw new ForesightError('tokenizer', `chat template: ${(err as Error).message}`, { cause: err });
    }
  }
}
