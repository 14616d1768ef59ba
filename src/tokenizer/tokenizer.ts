/**
 * A model's tokenizer, loaded from its Hugging Face files (`tokenizer.json`, `tokenizer_config.json`,
 * optionally `generation_config.json` and `config.json`) with `@huggingface/tokenizers`.
 *
 * Adds what generation needs on top of the library: the model's BOS rule, its EOS ids, its special
 * tokens by name, and its chat template (see chat-template.ts).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { ForesightError } from '../errors';
import { ChatTemplate, type ChatMessage } from './chat-template';

/** The JSON files a tokenizer is built from, already parsed. */
export interface TokenizerFiles {
  tokenizerJson: unknown;
  tokenizerConfig?: unknown;
  /** `generation_config.json`: the authoritative source of EOS ids. */
  generationConfig?: unknown;
  /** `config.json`: fallback for `bos_token_id` / `eos_token_id`. */
  modelConfig?: unknown;
}

type Json = Record<string, unknown>;

function asObject(value: unknown, file: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ForesightError('tokenizer', `${file}: expected a JSON object`);
  }
  return value as Json;
}

/** `bos_token` etc. are strings or AddedToken dicts (`{"content": "<s>", ...}`) in tokenizer_config.json. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

function idList(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number' && Number.isInteger(v));
  return [];
}

export class TextTokenizer {
  readonly bosTokenId: number | undefined;
  /** Token ids that end a generation: generation_config.json, else config.json, else tokenizer_config's eos_token. */
  readonly eosTokenIds: readonly number[];
  /** Whether a plain-text prompt starts with BOS. */
  readonly addBos: boolean;
  readonly chatTemplate: ChatTemplate | undefined;
  /** Ids of special tokens (BOS, EOS, chat markers): left out of decoded text. */
  readonly specialIds: ReadonlySet<number>;
  private readonly lib: Tokenizer;
  private readonly bosToken: string | undefined;
  private readonly eosToken: string | undefined;
  private readonly useTemplateProcessing: boolean;

  constructor(files: TokenizerFiles) {
    const json = asObject(files.tokenizerJson, 'tokenizer.json');
    const config = files.tokenizerConfig === undefined ? {} : asObject(files.tokenizerConfig, 'tokenizer_config.json');
    const generation = files.generationConfig === undefined ? {} : asObject(files.generationConfig, 'generation_config.json');
    const modelConfig = files.modelConfig === undefined ? {} : asObject(files.modelConfig, 'config.json');
    if (!json.model || typeof json.model !== 'object') {
      throw new ForesightError('tokenizer', 'tokenizer.json: missing "model" section');
    }
    // The library requires these keys to be present; HF files may omit the ones that are null.
    const complete: Json = { added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json };
    try {
      this.lib = new Tokenizer(complete, config);
    } catch (err) {
      throw new ForesightError('tokenizer', `tokenizer.json: ${(err as Error).message}`, { cause: err });
    }

    this.bosToken = tokenContent(config.bos_token);
    this.eosToken = tokenContent(config.eos_token);
    this.bosTokenId =
      (this.bosToken === undefined ? undefined : this.lib.token_to_id(this.bosToken)) ?? idList(modelConfig.bos_token_id)[0];

    const eos = idList(generation.eos_token_id);
    if (eos.length === 0) eos.push(...idList(modelConfig.eos_token_id));
    if (eos.length === 0 && this.eosToken !== undefined) {
      const id = this.lib.token_to_id(this.eosToken);
      if (id !== undefined) eos.push(id);
    }
    this.eosTokenIds = eos;

    // BOS rule: tokenizer_config.json's add_bos_token decides when present (transformers rebuilds the
    // post-processor from it); otherwise the tokenizer.json post-processor does whatever it does.
    this.useTemplateProcessing = typeof config.add_bos_token !== 'boolean';
    this.addBos = this.useTemplateProcessing
      ? this.lib.encode('', { add_special_tokens: true }).ids.length > 0
      : (config.add_bos_token as boolean) && this.bosTokenId !== undefined;

    this.specialIds = new Set(
      [...this.lib.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id),
    );
    this.chatTemplate = ChatTemplate.fromConfig(config, {
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken ?? '',
      unk_token: tokenContent(config.unk_token) ?? '',
      pad_token: tokenContent(config.pad_token) ?? '',
    });
  }

  /** Vocabulary size including added tokens (ids run 0..size-1). */
  get vocabSize(): number {
    return this.lib.get_vocab(true).size;
  }

  /** The token string for an id (`▁the`, `<0xE2>`, `<|im_end|>`), for pairing checks and debugging. */
  tokenString(id: number): string | undefined {
    return this.lib.id_to_token(id);
  }

  tokenId(token: string): number | undefined {
    return this.lib.token_to_id(token);
  }

  /** Plain text to ids, no special tokens added. Special-token strings inside the text map to their ids. */
  encode(text: string): number[] {
    return this.lib.encode(text, { add_special_tokens: false }).ids;
  }

  /** A plain-text prompt to ids, with BOS by the model's rule. */
  encodePrompt(text: string): number[] {
    if (this.useTemplateProcessing) return this.lib.encode(text, { add_special_tokens: true }).ids;
    const ids = this.encode(text);
    return this.addBos ? [this.bosTokenId as number, ...ids] : ids;
  }

  /**
   * Chat messages to ids through the model's chat template, with the assistant's generation prompt.
   * The template writes BOS itself, so nothing is added (as in transformers' apply_chat_template).
   */
  encodeChat(messages: readonly ChatMessage[]): number[] {
    return this.encode(this.renderChat(messages));
  }

  renderChat(messages: readonly ChatMessage[]): string {
    if (!this.chatTemplate) {
      throw new ForesightError('tokenizer', 'tokenizer_config.json has no chat_template: pass a plain `prompt` instead of `messages`');
    }
    return this.chatTemplate.render(messages, { addGenerationPrompt: true });
  }

  /**
   * Ids to text. Special tokens are skipped by default; the library's "clean up tokenization spaces"
   * pass is always off, because it rewrites text across token boundaries and would make streamed
   * text differ from decoded text.
   */
  decode(ids: readonly number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.lib.decode([...ids], {
      skip_special_tokens: opts.skipSpecialTokens ?? true,
      clean_up_tokenization_spaces: false,
    });
  }
}
